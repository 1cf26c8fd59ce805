//! The indicators of one scope, kept until the next write or for a few seconds. Office staff open
//! the same dashboards again and again; the figures change only when something is written. Every
//! write transaction of this process bumps [`WriteCounter`], which empties the cache for its
//! readers at once; writes by another process (a second instance, `klinik seed-demo`) show after
//! at most [`MAX_AGE`]. One recount runs at a time: when many requests miss together (the
//! figures just expired), the others wait for it instead of recounting too. The JSON is kept
//! serialized, so a hit costs no more than copying it out.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::dto::Indicators;

/// How long figures are served without a write of this process.
pub const MAX_AGE: Duration = Duration::from_secs(10);
/// Most scopes kept; beyond, the cache starts afresh.
const MAX_ENTRIES: usize = 256;

/// Counts this process's committed write transactions.
#[derive(Debug, Default)]
pub struct WriteCounter(AtomicU64);

impl WriteCounter {
    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Counted figures and their JSON.
#[derive(Debug, Clone)]
pub struct Counted {
    pub indicators: Arc<Indicators>,
    pub json: Arc<Vec<u8>>,
}

struct Entry {
    writes: u64,
    at: Instant,
    counted: Counted,
}

#[derive(Default)]
pub struct IndicatorsCache {
    entries: Mutex<HashMap<String, Entry>>,
    /// Held while counting, so that concurrent misses count once.
    pub recount: tokio::sync::Mutex<()>,
}

impl IndicatorsCache {
    /// The figures of `scope` if nothing was written since they were counted and they are fresh.
    pub fn get(&self, scope: &str, writes: u64) -> Option<Counted> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(scope)
            .filter(|e| e.writes == writes && e.at.elapsed() < MAX_AGE)
            .map(|e| e.counted.clone())
    }

    /// Keeps the figures of `scope` as counted when `writes` writes had committed.
    pub fn put(&self, scope: String, writes: u64, counted: Counted) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(
                scope,
                Entry {
                    writes,
                    at: Instant::now(),
                    counted,
                },
            );
        }
    }
}

impl std::fmt::Debug for IndicatorsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IndicatorsCache")
    }
}
