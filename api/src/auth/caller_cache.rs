//! Callers as loaded a moment ago, so that a burst of requests with one token checks the account
//! once instead of once per request (the check was half the database work of reading a record).
//!
//! An entry serves only while this process has committed no write since it was loaded — a
//! deactivation, a password reset, a sign-out or a client's new scopes apply at once — and for
//! [`MAX_AGE`] at most, which bounds how long a change made by another instance takes to apply.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Caller;

/// How long a loaded caller serves when this process writes nothing.
pub const MAX_AGE: Duration = Duration::from_secs(1);
/// Most tokens kept; beyond, the cache starts afresh.
const MAX_ENTRIES: usize = 4096;

struct Entry {
    writes: u64,
    at: Instant,
    caller: Caller,
}

/// Keyed by the verified access token itself: one token always names the same account, session
/// and scopes.
#[derive(Default)]
pub struct CallerCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl CallerCache {
    /// The caller `token` named, if loaded less than [`MAX_AGE`] ago and before no later write.
    pub fn get(&self, token: &str, writes: u64) -> Option<Caller> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(token)
            .filter(|e| e.writes == writes && e.at.elapsed() < MAX_AGE)
            .map(|e| e.caller.clone())
    }

    /// Keeps `caller` as loaded after `writes` writes had committed (read before loading, so
    /// that a write committing meanwhile makes the entry stale rather than wrong).
    pub fn put(&self, token: String, writes: u64, caller: Caller) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.retain(|_, e| e.writes == writes && e.at.elapsed() < MAX_AGE);
                if entries.len() >= MAX_ENTRIES {
                    entries.clear();
                }
            }
            entries.insert(
                token,
                Entry {
                    writes,
                    at: Instant::now(),
                    caller,
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn someone() -> Caller {
        Caller::Client {
            id: 7,
            client_id: "bank".into(),
            name: "Bank".into(),
            scopes: Vec::new(),
        }
    }

    #[test]
    fn a_write_since_loading_makes_the_entry_stale() {
        let cache = CallerCache::default();
        cache.put("t".into(), 3, someone());
        assert_eq!(cache.get("t", 3), Some(someone()));
        assert_eq!(cache.get("t", 4), None, "a write committed since");
        assert_eq!(cache.get("other", 3), None);
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = CallerCache::default();
        for i in 0..MAX_ENTRIES + 10 {
            cache.put(i.to_string(), 1, someone());
        }
        let kept = cache.entries.lock().map(|e| e.len()).unwrap_or_default();
        assert!(kept <= MAX_ENTRIES, "{kept}");
        assert_eq!(
            cache.get(&(MAX_ENTRIES + 9).to_string(), 1),
            Some(someone())
        );
    }
}
