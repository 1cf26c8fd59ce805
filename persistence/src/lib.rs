//! Klinik KUMKM storage: one diesel schema over PostgreSQL and SQLite.
//!
//! Query functions take `&mut AnyConnection` and never the pool, so that the caller decides what
//! one transaction covers (ARCHITECTURE.md "Request path").

pub mod annual_reports;
pub mod audit;
pub mod clients;
pub mod connection;
pub mod cooperatives;
mod error;
pub mod idempotency;
pub mod imports;
pub mod persons;
pub mod regions;
pub mod schema;
mod search;
pub mod sessions;
pub mod ukm;
pub mod users;

pub use connection::{
    AnyConnection, ConnectionManager, DatabaseUrl, Pool, PoolOptions, PooledConnection, build_pool,
    ping, run_migrations, write_transaction,
};
pub use error::StoreError;
pub use search::like_pattern;

/// The current time as stored: UTC without an offset (both backends' `TIMESTAMP`), to microseconds
/// so that what is written reads back equal on both backends.
pub fn now_utc() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    chrono::DurationRound::duration_trunc(now, chrono::TimeDelta::microseconds(1)).unwrap_or(now)
}
