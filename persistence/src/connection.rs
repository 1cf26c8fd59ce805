//! One connection type over both backends, the pool, and the migrations.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::R2D2Connection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::StoreError;

/// A connection to whichever database the URL named. Pg first: SQLite accepts any path.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pool = r2d2::Pool<ConnectionManager>;
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

/// A connection that went back to the pool longer ago than this is pinged before it is handed out
/// again: the server or the network may have closed it meanwhile. One used moments ago is handed
/// out as it is — pinging every checkout cost a round trip per request, a third of a record read.
const CHECK_WHEN_IDLE_FOR: Duration = Duration::from_secs(1);

/// A pooled connection and what the pool needs to know to hand it out again without a ping.
/// It dereferences to [`AnyConnection`], so `&mut pooled` serves every query function.
pub struct Pooled {
    conn: AnyConnection,
    /// When it last went back to the pool (or was opened).
    returned_at: Instant,
    /// Its last use ended in an error, perhaps a lost connection: ping it before its next use.
    suspect: bool,
}

impl Pooled {
    /// Records that this use ended in an error, so that the pool checks the connection before it
    /// serves anyone else (a connection the server closed would otherwise fail request after request).
    pub fn mark_suspect(&mut self) {
        self.suspect = true;
    }
}

impl std::ops::Deref for Pooled {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }
}

const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");

/// Key of the PostgreSQL advisory lock held while migrating, so that replicas starting together
/// do not race. Any constant works as long as every replica uses the same one.
const MIGRATION_LOCK_KEY: i64 = 0x4B4C_494E_494B; // "KLINIK"

/// Which backend a URL names and how to reach it.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    /// A file path (or `:memory:`).
    Sqlite(String),
}

impl DatabaseUrl {
    /// `postgres://` and `postgresql://` name PostgreSQL; `sqlite://PATH` or a bare path name SQLite.
    pub fn parse(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DatabaseUrl::Postgres(url.to_owned())
        } else {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            DatabaseUrl::Sqlite(path.to_owned())
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Postgres(_) => "postgres",
            DatabaseUrl::Sqlite(_) => "sqlite",
        }
    }
}

// The URL may carry a password: never print it.
impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({})", self.backend_name())
    }
}

/// An r2d2 manager that opens the backend the URL names directly, so that a failure reports the
/// driver's own message (diesel's derived `establish` reduces every failure to "invalid URL").
#[derive(Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }

    fn open(&self) -> Result<AnyConnection, diesel::ConnectionError> {
        match &self.url {
            DatabaseUrl::Postgres(url) => PgConnection::establish(url).map(AnyConnection::Pg),
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                // Per connection; WAL itself is set once on the file before the pool starts.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                )
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = Pooled;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Pooled, Self::Error> {
        let conn = self.open().map_err(diesel::r2d2::Error::ConnectionError)?;
        Ok(Pooled {
            conn,
            returned_at: Instant::now(),
            suspect: false,
        })
    }

    /// Called at every checkout: pings only a connection that was idle or whose last use failed.
    fn is_valid(&self, pooled: &mut Pooled) -> Result<(), Self::Error> {
        if pooled.suspect || pooled.returned_at.elapsed() >= CHECK_WHEN_IDLE_FOR {
            pooled
                .conn
                .ping()
                .map_err(diesel::r2d2::Error::QueryError)?;
            pooled.suspect = false;
        }
        Ok(())
    }

    /// Called at every return to the pool, which is when the idle time starts.
    fn has_broken(&self, pooled: &mut Pooled) -> bool {
        pooled.returned_at = Instant::now();
        std::thread::panicking() || pooled.conn.is_broken()
    }
}

/// Pool sizing and timeouts.
#[derive(Debug, Clone, Copy)]
pub struct PoolOptions {
    pub max_size: u32,
    pub connection_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: 8,
            connection_timeout: Duration::from_secs(5),
        }
    }
}

/// Builds the pool. For SQLite the file is put in WAL mode first, on one connection, because
/// switching a fresh file to WAL from several pooled connections at once fails with "locked".
pub fn build_pool(url: &DatabaseUrl, options: PoolOptions) -> Result<Pool, StoreError> {
    let manager = ConnectionManager::new(url.clone());
    if let DatabaseUrl::Sqlite(path) = url
        && path != ":memory:"
    {
        let mut conn = manager
            .open()
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        if let AnyConnection::Sqlite(conn) = &mut conn {
            conn.batch_execute("PRAGMA journal_mode = WAL;")?;
        }
    }
    // `:memory:` gives each connection its own database: one connection keeps them the same.
    let max_size = match url {
        DatabaseUrl::Sqlite(path) if path == ":memory:" => 1,
        _ => options.max_size,
    };
    r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .connection_timeout(options.connection_timeout)
        .build(manager)
        .map_err(|e| StoreError::Unavailable(e.to_string()))
}

/// Applies pending migrations of the connection's backend and returns how many ran, then the
/// backfills they left (`pending_backfills`).
/// On PostgreSQL this holds an advisory lock for the duration.
pub fn run_migrations(conn: &mut AnyConnection) -> Result<usize, StoreError> {
    let applied = match conn {
        AnyConnection::Pg(pg) => {
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
                .execute(pg)?;
            let result = pg.run_pending_migrations(PG_MIGRATIONS).map(|v| v.len());
            let unlock =
                diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
                    .execute(pg);
            let applied = result.map_err(|e| StoreError::Migration(e.to_string()))?;
            unlock?;
            applied
        }
        AnyConnection::Sqlite(sqlite) => sqlite
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.len())
            .map_err(|e| StoreError::Migration(e.to_string()))?,
    };
    if let Some(keyed) = crate::ukm_search::backfill_if_pending(conn)? {
        tracing::info!(keyed, "cut the search keys of the UKM already registered");
    }
    Ok(applied)
}

/// Gives SQLite's planner the table statistics PostgreSQL's autovacuum keeps by itself. Without
/// them SQLite guessed that the UKM search's count should walk a partial index and fetch each
/// row from it (three times slower than reading the table). Sampled (`analysis_limit`), so it
/// takes milliseconds; run at start and after seeding.
pub fn refresh_statistics(conn: &mut AnyConnection) -> Result<(), StoreError> {
    if let AnyConnection::Sqlite(sqlite) = conn {
        sqlite.batch_execute("PRAGMA analysis_limit = 1000; ANALYZE;")?;
    }
    Ok(())
}

/// A cheap query that proves the database answers (used by the readiness probe).
pub fn ping(conn: &mut AnyConnection) -> Result<(), StoreError> {
    diesel::sql_query("SELECT 1").execute(conn)?;
    Ok(())
}

/// Runs `work` in a transaction meant to write. On SQLite it starts with `BEGIN IMMEDIATE`, which
/// takes the write lock up front (waiting up to the busy timeout) instead of failing with
/// "database is locked" when a read transaction later tries to write while another writer commits.
/// On PostgreSQL it is an ordinary transaction that tells the other instances it wrote
/// (`crate::write_signals`).
pub fn write_transaction<T, E>(
    conn: &mut AnyConnection,
    work: impl FnOnce(&mut AnyConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let AnyConnection::Sqlite(sqlite) = conn else {
        return conn.transaction(|conn| {
            let value = work(conn)?;
            crate::write_signals::announce(conn)?;
            Ok(value)
        });
    };
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    match work(conn) {
        Ok(value) => {
            <AnyConnection as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            // The work's error is the one to report; a failed rollback leaves the connection
            // broken, and the pool then discards it.
            let _ = <AnyConnection as Connection>::TransactionManager::rollback_transaction(conn);
            Err(error)
        }
    }
}

/// Runs the same diesel code on whichever backend `conn` is: the way to reach what the
/// `MultiConnection` enum does not offer, such as multi-row `INSERT` (its generic `insert_into`
/// writes one row per statement).
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::AnyConnection::Pg($c) => $body,
            $crate::AnyConnection::Sqlite($c) => $body,
        }
    };
}
