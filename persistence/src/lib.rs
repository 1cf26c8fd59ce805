//! Klinik KUMKM storage: one diesel schema over PostgreSQL and SQLite.
//!
//! Query functions take `&mut AnyConnection` and never the pool, so that the caller decides what
//! one transaction covers (docs/architecture.md, "The path of a request").

pub mod annual_reports;
pub mod audit;
pub mod backup;
pub mod changes;
pub mod clients;
pub mod clinic;
pub mod connection;
pub mod cooperatives;
pub mod database;
pub mod documents;
pub mod economy;
pub mod economy_registry;
mod error;
pub mod idempotency;
pub mod ids;
pub mod imports;
pub mod notifications;
pub mod persons;
pub mod pg_reads;
pub mod regions;
pub mod reminders;
pub mod replicas;
pub mod scheduled_jobs;
pub mod schema;
mod search;
pub mod sessions;
pub mod stored;
pub mod ukm;
pub mod ukm_search;
pub mod users;
pub mod versioned;
pub mod webhooks;
pub mod write_signals;

pub use connection::{
    AnyConnection, ConnectionManager, DatabaseUrl, Pool, PoolOptions, PooledConnection, build_pool,
    ping, refresh_statistics, run_migrations, write_transaction,
};
pub use database::{Database, WorkError};
pub use error::StoreError;
pub use ids::*;
pub use search::{bindable, like_pattern};
pub use stored::{EnumText, NullableEnumText, Parsed, ParsedOpt};
pub use versioned::Stamped;

/// Lists count their matches up to this many; beyond it the count stops and says so, so that a
/// broad filter over a million rows never costs a full count (docs/conventions.md, "Lists").
pub const COUNT_CAP: i64 = 1_000;

/// A list's total: exact, or a lower bound when the count stopped at [`COUNT_CAP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    pub count: i64,
    pub exact: bool,
}

impl Total {
    /// From the number of ids a query returned when limited to `COUNT_CAP + 1`.
    pub fn from_capped(found: usize) -> Self {
        let found = found as i64;
        Total {
            count: found.min(COUNT_CAP),
            exact: found <= COUNT_CAP,
        }
    }
}

/// The current time as stored: UTC without an offset (both backends' `TIMESTAMP`), to microseconds
/// so that what is written reads back equal on both backends.
pub fn now_utc() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    chrono::DurationRound::duration_trunc(now, chrono::TimeDelta::microseconds(1)).unwrap_or(now)
}
