//! Settings for other systems that follow the data: how long the change feed keeps its entries.

use std::time::Duration;

use super::{SettingsError, number};

/// | variable | default | meaning |
/// |---|---|---|
/// | `KLINIK_CHANGE_RETENTION_DAYS` | `90` | how long the change feed keeps an entry (1–3650); an older cursor answers 410 |
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integration {
    pub change_retention: Duration,
}

impl Default for Integration {
    fn default() -> Self {
        Integration {
            change_retention: Duration::from_secs(90 * 86_400),
        }
    }
}

impl Integration {
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let days: u64 = number(lookup, "KLINIK_CHANGE_RETENTION_DAYS", 90, 1, 3650)?;
        Ok(Integration {
            change_retention: Duration::from_secs(days * 86_400),
        })
    }
}
