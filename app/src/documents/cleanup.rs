//! The daily cleanup of the document store: files no live record points at. They are what a
//! crash between storing a file and writing its record leaves, and the bytes of a purge whose
//! delete failed. A file younger than [`GRACE`] may be an upload still in progress: it stays.

use chrono::{DateTime, Duration, Utc};
use klinik_persistence::documents as store;

use crate::prelude::*;

/// How old a file without a record must be before it counts as an orphan.
pub const GRACE: Duration = Duration::hours(1);

/// Deletes orphaned files older than [`GRACE`] at `now`; answers how many went.
pub async fn remove_orphans(app: &App, now: DateTime<Utc>) -> Result<usize, Error> {
    let cutoff = now - GRACE;
    let old: Vec<String> = app
        .documents
        .list()
        .await?
        .into_iter()
        .filter(|(_, written)| *written < cutoff)
        .map(|(key, _)| key)
        .collect();
    let candidates = old.clone();
    let live: std::collections::HashSet<String> = app
        .read(move |conn| Ok::<_, Error>(store::live_keys(conn, &candidates)?))
        .await?
        .into_iter()
        .collect();
    let mut removed = 0;
    for key in old.iter().filter(|k| !live.contains(k.as_str())) {
        app.documents.delete(key).await?;
        removed += 1;
    }
    let cutoff = std::time::SystemTime::from(cutoff);
    for leftover in app.documents.local_leftovers(cutoff) {
        if std::fs::remove_file(&leftover).is_ok() {
            removed += 1;
        }
    }
    if removed > 0 {
        tracing::info!(removed, "orphaned document files removed");
    }
    Ok(removed)
}
