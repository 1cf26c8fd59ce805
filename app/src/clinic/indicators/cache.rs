//! The indicators of one scope, kept until the next write or for a few seconds. Office staff open
//! the same dashboards again and again; the figures change only when something is written. Every
//! write transaction empties the cache for its readers at once, another instance's as soon as this
//! one hears of it (PostgreSQL `LISTEN`), and [`MAX_AGE`] bounds the rest ([`crate::write_stamped`]). One recount runs at a time: when many requests miss together (the
//! figures just expired), the others wait for it instead of recounting too. The JSON is kept
//! serialized, so a hit costs no more than copying it out.

use std::sync::Arc;
use std::time::Duration;

use super::dto::Indicators;
use crate::write_stamped::WriteStamped;

/// How long figures are served without a write of this process.
pub const MAX_AGE: Duration = Duration::from_secs(10);
/// Most scopes kept.
const MAX_ENTRIES: usize = 256;

/// Counted figures and their JSON.
#[derive(Debug, Clone)]
pub struct Counted {
    pub indicators: Arc<Indicators>,
    pub json: Arc<Vec<u8>>,
}

pub struct IndicatorsCache {
    counted: WriteStamped<Counted>,
    /// Held while counting, so that concurrent misses count once.
    pub recount: tokio::sync::Mutex<()>,
}

impl Default for IndicatorsCache {
    fn default() -> Self {
        Self {
            counted: WriteStamped::new(MAX_AGE, MAX_ENTRIES),
            recount: tokio::sync::Mutex::new(()),
        }
    }
}

impl IndicatorsCache {
    /// The figures of `scope` if nothing was written since they were counted and they are fresh.
    pub fn get(&self, scope: &str, writes: u64) -> Option<Counted> {
        self.counted.get(scope, writes)
    }

    /// Keeps the figures of `scope` as counted when `writes` writes had committed.
    pub fn put(&self, scope: String, writes: u64, counted: Counted) {
        self.counted.put(scope, writes, counted);
    }
}

impl std::fmt::Debug for IndicatorsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IndicatorsCache")
    }
}
