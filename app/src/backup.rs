//! `klinik backup FILE`: a consistent copy of the embedded SQLite database, taken while the
//! server runs. PostgreSQL deployments use `pg_dump` (docs/operations.md).

use std::path::Path;

use anyhow::Context;
use klinik_persistence::DatabaseUrl;

use crate::settings::Settings;

/// Copies the configured database to `target`, which must not exist yet.
pub fn backup(settings: &Settings, target: &Path) -> anyhow::Result<()> {
    if let DatabaseUrl::Postgres(_) = settings.database_url {
        anyhow::bail!(
            "KLINIK_DATABASE_URL is PostgreSQL: back up with `pg_dump -Fc -f FILE \"$KLINIK_DATABASE_URL\"` \
             and restore with pg_restore (docs/operations.md, \"Backup and restore\")"
        );
    }
    if target.exists() {
        anyhow::bail!("{} already exists; choose a new file", target.display());
    }
    let path = target
        .to_str()
        .context("the backup file's path must be valid UTF-8")?;
    let (_pool, mut conn) = crate::startup::command_connection(settings, false)?;
    klinik_persistence::backup::sqlite_copy(&mut conn, path)
        .with_context(|| format!("writing {}", target.display()))?;
    Ok(())
}
