//! Storage errors, classified once so that the API can map each to one HTTP meaning.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("record not found")]
    NotFound,
    /// A unique constraint refused the write. `constraint` is PostgreSQL's constraint name or
    /// SQLite's message, which names the columns; see [`StoreError::duplicate_of`].
    #[error("duplicate value for a unique key")]
    Duplicate { constraint: String },
    #[error("a referenced record does not exist")]
    MissingReference,
    /// The record changed since the caller read it (optimistic concurrency).
    #[error("the record was changed by someone else")]
    Stale,
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Every connection stayed busy for the pool's timeout: the database is overloaded, not away.
    #[error("every database connection is busy")]
    Busy,
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Database(#[source] DieselError),
    /// A broken expectation about the database's behaviour (never the caller's fault).
    #[error("internal storage error: {0}")]
    Internal(String),
}

impl StoreError {
    /// True when this is a duplicate on the constraint or column named `token`
    /// (e.g. `registration_number`), on either backend.
    pub fn duplicate_of(&self, token: &str) -> bool {
        matches!(self, StoreError::Duplicate { constraint } if constraint.contains(token))
    }
}

impl From<DieselError> for StoreError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => StoreError::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                let constraint = info
                    .constraint_name()
                    .map(str::to_owned)
                    .unwrap_or_else(|| info.message().to_owned());
                StoreError::Duplicate { constraint }
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                StoreError::MissingReference
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                StoreError::Unavailable(info.message().to_owned())
            }
            DieselError::BrokenTransactionManager => {
                StoreError::Unavailable("broken transaction manager".into())
            }
            other => StoreError::Database(other),
        }
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(error: r2d2::Error) -> Self {
        StoreError::Unavailable(error.to_string())
    }
}
