//! Values kept until this process next commits a write, and for a bounded age at most.
//!
//! Every write transaction of this process bumps the database handle's count
//! (`klinik_persistence::Database::writes`); an entry
//! stamped with an older count no longer serves, so a change made here shows at once. On
//! PostgreSQL the writes of another process (a second instance, `klinik seed-demo`) bump it too as
//! soon as they commit (`klinik_persistence::write_signals`); the entry's maximum age bounds how
//! long they take to show when that cannot be heard (SQLite has one process).
//! Callers read the counter *before* computing a value, so that a write committing meanwhile
//! leaves the entry stale rather than wrong.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

struct Entry<V> {
    writes: u64,
    at: Instant,
    value: V,
}

/// A bounded map of values stamped with the write count they were computed at.
pub struct WriteStamped<V> {
    entries: Mutex<HashMap<String, Entry<V>>>,
    max_age: Duration,
    max_entries: usize,
}

impl<V: Clone> WriteStamped<V> {
    pub fn new(max_age: Duration, max_entries: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            max_age,
            max_entries,
        }
    }

    /// The value of `key` if nothing was written since it was computed and it is young enough.
    pub fn get(&self, key: &str, writes: u64) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|e| e.writes == writes && e.at.elapsed() < self.max_age)
            .map(|e| e.value.clone())
    }

    /// Keeps `value` as computed when `writes` writes had committed. When full, the entries that
    /// no longer serve go first, and if that is not enough, all of them.
    pub fn put(&self, key: String, writes: u64, value: V) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.max_entries {
                let max_age = self.max_age;
                entries.retain(|_, e| e.writes == writes && e.at.elapsed() < max_age);
                if entries.len() >= self.max_entries {
                    entries.clear();
                }
            }
            entries.insert(
                key,
                Entry {
                    writes,
                    at: Instant::now(),
                    value,
                },
            );
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_since_computing_makes_the_entry_stale() {
        let cache = WriteStamped::new(Duration::from_secs(60), 8);
        cache.put("t".into(), 3, 7);
        assert_eq!(cache.get("t", 3), Some(7));
        assert_eq!(cache.get("t", 4), None, "a write committed since");
        assert_eq!(cache.get("other", 3), None);
    }

    #[test]
    fn an_old_entry_no_longer_serves() {
        let cache = WriteStamped::new(Duration::ZERO, 8);
        cache.put("t".into(), 3, 7);
        assert_eq!(cache.get("t", 3), None);
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = WriteStamped::new(Duration::from_secs(60), 16);
        for i in 0..26 {
            cache.put(i.to_string(), 1, i);
        }
        assert!(cache.len() <= 16, "{}", cache.len());
        assert_eq!(cache.get("25", 1), Some(25));
    }
}
