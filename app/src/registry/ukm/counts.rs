//! The UKM list's totals, kept per filter until the next write. Counting is the filtered list's
//! dearest part: past the first page the capped count walks up to `COUNT_CAP + 1` index entries
//! on every request, while the page itself reads twenty. The total of the same filters is the same
//! until something is written — here or, heard at once on PostgreSQL, on another instance
//! ([`crate::write_stamped`]) — so it is counted once and then reused by every page and caller.

use std::time::Duration;

use klinik_persistence::Total;
use klinik_persistence::ukm::ListFilter;

use crate::context::Ctx;
use crate::write_stamped::WriteStamped;

/// How long a total serves without a write this instance hears of (the fallback bound).
pub const MAX_AGE: Duration = Duration::from_secs(10);
/// Most filters kept.
const MAX_ENTRIES: usize = 1024;

pub struct ListCounts(WriteStamped<Total>);

impl Default for ListCounts {
    fn default() -> Self {
        Self(WriteStamped::new(MAX_AGE, MAX_ENTRIES))
    }
}

impl std::ops::Deref for ListCounts {
    type Target = WriteStamped<Total>;
    fn deref(&self) -> &WriteStamped<Total> {
        &self.0
    }
}

/// The filters that decide the total (not the order or the page). With read replicas, each
/// caller's totals are kept apart, as the indicators are: a total counted on a replica that had not
/// replayed a caller's write must not answer them.
pub fn key(ctx: &Ctx, filter: &ListFilter) -> String {
    let counted = ListFilter {
        sort: Default::default(),
        descending: false,
        limit: 0,
        offset: 0,
        known_total: None,
        ..filter.clone()
    };
    if ctx.app.db.keeps_write_marks() {
        format!("{counted:?}|{}", ctx.caller.writer_key())
    } else {
        format!("{counted:?}")
    }
}
