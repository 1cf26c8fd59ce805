//! Settings for other systems that follow the data: how long the change feed keeps its entries,
//! and how webhooks are delivered.

use std::time::Duration;

use super::{SettingsError, invalid, number};
use crate::webhooks::TargetRule;

/// | variable | default | meaning |
/// |---|---|---|
/// | `KLINIK_CHANGE_RETENTION_DAYS` | `90` | how long the change feed keeps an entry (1–3650); an older cursor answers 410 |
/// | `KLINIK_WEBHOOK_POLL_MS` | `1000` | how often this instance looks for webhook deliveries to make (50–60000; `0`: none in this instance) |
/// | `KLINIK_WEBHOOK_RETRY_SECONDS` | `30` | the wait before the second attempt; it doubles with each failure, up to 6 hours (0–3600) |
/// | `KLINIK_WEBHOOK_MAX_AGE_HOURS` | `72` | a delivery still failing this long after it was queued (or redelivered) is given up (1–720) |
/// | `KLINIK_WEBHOOK_DISABLE_AFTER` | `20` | failed attempts in a row that turn a subscription off (1–1000) |
/// | `KLINIK_WEBHOOK_ALLOW_PRIVATE` | `false` | `true` also posts to `http://` and to loopback, private and link-local addresses |
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integration {
    pub change_retention: Duration,
    /// `None`: this instance makes no deliveries.
    pub webhook_poll: Option<Duration>,
    pub webhook_retry_base: Duration,
    pub webhook_max_age: Duration,
    pub webhook_disable_after: u32,
    pub webhook_targets: TargetRule,
}

impl Default for Integration {
    fn default() -> Self {
        Integration {
            change_retention: Duration::from_secs(90 * 86_400),
            webhook_poll: Some(Duration::from_millis(1000)),
            webhook_retry_base: Duration::from_secs(30),
            webhook_max_age: Duration::from_secs(72 * 3600),
            webhook_disable_after: 20,
            webhook_targets: TargetRule::PublicOnly,
        }
    }
}

impl Integration {
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let days: u64 = number(lookup, "KLINIK_CHANGE_RETENTION_DAYS", 90, 1, 3650)?;
        let poll: u64 = number(lookup, "KLINIK_WEBHOOK_POLL_MS", 1000, 0, 60_000)?;
        if (1..50).contains(&poll) {
            return Err(invalid(
                "KLINIK_WEBHOOK_POLL_MS",
                "must be 0 (no deliveries here) or 50 to 60000",
            ));
        }
        let targets = match lookup("KLINIK_WEBHOOK_ALLOW_PRIVATE").as_deref() {
            None | Some("false") => TargetRule::PublicOnly,
            Some("true") => TargetRule::AllowPrivate,
            Some(_) => {
                return Err(invalid(
                    "KLINIK_WEBHOOK_ALLOW_PRIVATE",
                    "must be true or false",
                ));
            }
        };
        Ok(Integration {
            change_retention: Duration::from_secs(days * 86_400),
            webhook_poll: (poll > 0).then(|| Duration::from_millis(poll)),
            webhook_retry_base: Duration::from_secs(number(
                lookup,
                "KLINIK_WEBHOOK_RETRY_SECONDS",
                30,
                0,
                3600,
            )?),
            webhook_max_age: Duration::from_secs(
                number::<u64>(lookup, "KLINIK_WEBHOOK_MAX_AGE_HOURS", 72, 1, 720)? * 3600,
            ),
            webhook_disable_after: number(lookup, "KLINIK_WEBHOOK_DISABLE_AFTER", 20, 1, 1000)?,
            webhook_targets: targets,
        })
    }
}
