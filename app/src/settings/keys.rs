//! Previous keys, kept during a rotation so that what they protected still reads.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `KLINIK_DATA_KEY_PREVIOUS` | none | comma-separated earlier data keys (64 hex characters each): values sealed under them still open until `klinik keys rotate` re-seals them |
//! | `KLINIK_JWT_SECRET_PREVIOUS` | none | comma-separated earlier signing keys: access tokens they signed verify until they expire (15 minutes) |

use super::{JWT_SECRET_MIN_BYTES, Secret, SettingsError, invalid};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreviousKeys {
    pub data: Vec<Secret>,
    pub jwt: Vec<Secret>,
}

fn list(lookup: &dyn Fn(&str) -> Option<String>, variable: &str) -> Vec<String> {
    lookup(variable)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect()
}

impl PreviousKeys {
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let data = list(lookup, "KLINIK_DATA_KEY_PREVIOUS");
        if data
            .iter()
            .any(|k| k.len() != 64 || !k.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(invalid(
                "KLINIK_DATA_KEY_PREVIOUS",
                "must be comma-separated keys of 64 hexadecimal characters",
            ));
        }
        let jwt = list(lookup, "KLINIK_JWT_SECRET_PREVIOUS");
        if jwt.iter().any(|k| k.len() < JWT_SECRET_MIN_BYTES) {
            return Err(invalid(
                "KLINIK_JWT_SECRET_PREVIOUS",
                format!("must be comma-separated keys of at least {JWT_SECRET_MIN_BYTES} bytes"),
            ));
        }
        Ok(PreviousKeys {
            data: data.into_iter().map(Secret::new).collect(),
            jwt: jwt.into_iter().map(Secret::new).collect(),
        })
    }
}
