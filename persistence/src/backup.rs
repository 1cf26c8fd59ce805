//! A consistent copy of a running SQLite database.

use diesel::RunQueryDsl;
use diesel::sql_types::Text;

use crate::{AnyConnection, StoreError};

/// Writes a consistent copy of the database to `path` while others keep reading and writing:
/// SQLite's `VACUUM INTO` reads one snapshot in a read transaction (writers go on in WAL mode)
/// and writes a compact, self-contained file. SQLite refuses when `path` already exists. On
/// PostgreSQL, `pg_dump` is the tool (docs/operations.md), so this answers an error naming it.
pub fn sqlite_copy(conn: &mut AnyConnection, path: &str) -> Result<(), StoreError> {
    match conn {
        AnyConnection::Sqlite(sqlite) => {
            diesel::sql_query("VACUUM INTO ?")
                .bind::<Text, _>(path)
                .execute(sqlite)?;
            Ok(())
        }
        AnyConnection::Pg(_) => Err(StoreError::Internal(
            "on PostgreSQL back up with pg_dump -Fc (docs/operations.md, \"Backup and restore\")"
                .into(),
        )),
    }
}
