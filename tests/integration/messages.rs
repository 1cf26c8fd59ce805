//! Problems in English and Bahasa Indonesia: the catalogue (`api/locales/messages.yml`) is whole,
//! and every problem answers in the language `Accept-Language` prefers, saying which in
//! `Content-Language`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use actix_web::http::{Method, StatusCode};
use klinik_api::language::{Language, translation};
use regex::Regex;
use serde_json::json;

use crate::helpers::{TestApp, minimal_cooperative};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_path_buf()
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir)
        .expect("a source directory")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// Every `msg!` template in the crates that write messages (the macro takes only a literal, so
/// the source holds them all), except the macro's own tests.
fn templates() -> BTreeSet<String> {
    let literal = Regex::new(r#"msg!\(\s*"((?:[^"\\]|\\.)*)""#).expect("a valid pattern");
    let mut files = Vec::new();
    for krate in ["domain/src", "app/src", "api/src"] {
        rust_files(&workspace().join(krate), &mut files);
    }
    let mut found = BTreeSet::new();
    for file in files
        .iter()
        .filter(|f| !f.ends_with("domain/src/message.rs"))
    {
        let text = std::fs::read_to_string(file).expect("a readable source file");
        for capture in literal.captures_iter(&text) {
            found.insert(capture[1].replace("\\\"", "\""));
        }
    }
    found
}

/// The keys of the Indonesian catalogue, as written in the file.
fn catalogue_keys() -> BTreeSet<String> {
    let text = std::fs::read_to_string(workspace().join("api/locales/messages.yml"))
        .expect("the catalogue");
    text.lines()
        .filter(|line| line.starts_with('"') && line.ends_with("\":"))
        .map(|line| {
            serde_json::from_str::<String>(&line[..line.len() - 1]).expect("a JSON-quoted key")
        })
        .collect()
}

/// Every status a problem can have: their phrases are the problem titles.
const PROBLEM_STATUSES: [u16; 14] = [
    400, 401, 403, 404, 405, 409, 410, 412, 413, 415, 422, 429, 500, 503,
];

fn placeholders(text: &str) -> BTreeSet<String> {
    let placeholder = Regex::new(r"%\{(\w+)\}").expect("a valid pattern");
    placeholder
        .captures_iter(text)
        .map(|c| c[1].to_owned())
        .collect()
}

#[test]
fn every_message_and_title_has_its_indonesian_text_with_the_same_placeholders() {
    let templates = templates();
    assert!(templates.len() > 200, "found {} templates", templates.len());
    let mut titles = BTreeSet::new();
    for status in PROBLEM_STATUSES {
        let phrase = StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .expect("a known status");
        titles.insert(phrase.to_owned());
    }
    for key in templates.iter().chain(&titles) {
        let indonesian = translation(Language::Id, key)
            .unwrap_or_else(|| panic!("no Indonesian text for {key:?}"));
        assert_eq!(
            placeholders(&indonesian),
            placeholders(key),
            "placeholders of {key:?}"
        );
    }
    let unused: Vec<_> = catalogue_keys()
        .into_iter()
        .filter(|key| !templates.contains(key) && !titles.contains(key) && key != "Error")
        .collect();
    assert!(
        unused.is_empty(),
        "catalogue entries no code writes: {unused:?}"
    );
}

#[actix_web::test]
async fn a_problem_comes_in_indonesian_when_accept_language_prefers_it() {
    let app = TestApp::spawn().await;
    let missing = app
        .request(
            Method::GET,
            "/api/v1/cooperatives/999999",
            None,
            &[("accept-language", "id-ID,id;q=0.9,en;q=0.8")],
        )
        .await;
    missing.assert_problem(404, "not_found");
    assert_eq!(missing.header("content-language"), Some("id"));
    assert_eq!(missing.body["title"], "Tidak Ditemukan");
    assert_eq!(missing.body["detail"], "Koperasi tidak ditemukan.");
    assert!(
        missing
            .header("vary")
            .is_some_and(|v| v.to_ascii_lowercase().contains("accept-language")),
        "{:?}",
        missing.header("vary")
    );

    let mut bad = minimal_cooperative();
    bad["registration_number"] = json!("12");
    bad["name"] = json!("");
    let invalid = app
        .request(
            Method::POST,
            "/api/v1/cooperatives",
            Some(&bad),
            &[("accept-language", "id")],
        )
        .await;
    invalid.assert_problem(422, "validation_failed");
    assert_eq!(invalid.header("content-language"), Some("id"));
    assert_eq!(invalid.body["title"], "Konten Tidak Dapat Diproses");
    assert_eq!(
        invalid.body["detail"],
        "Permintaan memiliki 2 isian yang tidak sah."
    );
    let messages: Vec<(&str, &str, &str)> = invalid.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default(),
                e["code"].as_str().unwrap_or_default(),
                e["message"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        messages.contains(&(
            "registration_number",
            "registration_number_format",
            "harus 13 sampai 16 angka (nomor induk koperasi)"
        )),
        "{messages:?}"
    );
    assert!(
        messages.contains(&("name", "required", "tidak boleh kosong")),
        "{messages:?}"
    );

    // Codes stay the same in both languages; the English answer says so too.
    let english = app
        .request(Method::POST, "/api/v1/cooperatives", Some(&bad), &[])
        .await;
    english.assert_problem(422, "validation_failed");
    assert_eq!(english.header("content-language"), Some("en"));
    assert_eq!(english.body["detail"], "The request has 2 invalid fields.");
    assert_eq!(english.error_codes(), invalid.error_codes());
}

#[actix_web::test]
async fn problems_from_the_edges_speak_indonesian_too() {
    let app = TestApp::spawn().await;
    let indonesian = [("accept-language", "id")];
    let anonymous = app
        .request_as(None, Method::GET, "/api/v1/cooperatives", None, &indonesian)
        .await;
    anonymous.assert_problem(401, "invalid_token");
    assert_eq!(
        anonymous.body["detail"],
        "Token akses tidak ada atau tidak sah."
    );
    assert_eq!(anonymous.header("content-language"), Some("id"));

    let unknown_path = app
        .request(Method::GET, "/api/v1/no-such-thing", None, &indonesian)
        .await;
    unknown_path.assert_problem(404, "not_found");
    assert_eq!(unknown_path.body["detail"], "Sumber daya tidak ada.");

    let wrong_method = app
        .request(Method::PUT, "/api/v1/cooperatives", None, &indonesian)
        .await;
    wrong_method.assert_problem(405, "method_not_allowed");
    assert!(
        wrong_method.body["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("Sumber daya ini hanya mendukung: ")),
        "{}",
        wrong_method.body
    );

    let query = app
        .request(
            Method::GET,
            "/api/v1/cooperatives?per_page=0&colour=red",
            None,
            &indonesian,
        )
        .await;
    query.assert_problem(400, "invalid_query");
    assert_eq!(
        query.body["detail"],
        "Ada parameter kueri yang tidak dikenal atau nilainya tidak sah."
    );

    let token = app
        .request_as(
            None,
            Method::POST,
            "/api/v1/auth/token",
            None,
            &[
                ("accept-language", "id"),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
        )
        .await;
    assert_eq!(token.status, 400, "{}", token.body);
    assert_eq!(token.header("content-language"), Some("id"));
    assert_eq!(token.body["error"], "invalid_request");
    assert_eq!(token.body["error_description"], token.body["detail"]);
}
