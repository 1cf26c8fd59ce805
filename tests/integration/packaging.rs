//! What an operator reads must match what the code reads: every `KLINIK_*` variable the
//! settings use is in `.env.example` and the README's table, and the image build context keeps
//! out local data, keys and `.env`.

use std::collections::BTreeSet;

const SETTINGS: &[&str] = &[
    include_str!("../../app/src/settings/mod.rs"),
    include_str!("../../app/src/settings/protection.rs"),
    include_str!("../../app/src/settings/keys.rs"),
    include_str!("../../app/src/settings/integration.rs"),
];
const ENV_EXAMPLE: &str = include_str!("../../.env.example");
const README: &str = include_str!("../../README.md");
const DOCKERIGNORE: &str = include_str!("../../.dockerignore");
const COMPOSE: &str = include_str!("../../docker-compose.yml");

/// Every `KLINIK_…` name quoted in `text`.
fn quoted_variables(text: &str) -> BTreeSet<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            s.starts_with("KLINIK_") && s.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_variable_the_settings_read_is_documented_for_operators() {
    let read: BTreeSet<String> = SETTINGS.iter().flat_map(|s| quoted_variables(s)).collect();
    assert!(read.len() >= 21, "{read:?}");
    for variable in &read {
        assert!(
            ENV_EXAMPLE.contains(variable.as_str()),
            "{variable} missing from .env.example"
        );
        assert!(
            README.contains(&format!("| `{variable}` |")),
            "{variable} missing from the README's configuration table"
        );
    }
    assert!(
        ENV_EXAMPLE.contains("KLINIK_DB_PASSWORD") && COMPOSE.contains("KLINIK_DB_PASSWORD"),
        "compose's database password is listed"
    );
}

#[test]
fn the_image_build_context_leaves_out_data_keys_and_secrets() {
    let ignored: Vec<&str> = DOCKERIGNORE
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    for needed in ["target/", "data/", ".env", ".git/"] {
        assert!(
            ignored.contains(&needed),
            "{needed} is not in .dockerignore"
        );
    }
}
