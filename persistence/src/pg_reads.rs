//! Point reads on PostgreSQL that stay on the async worker.
//!
//! Every other query runs on the blocking pool (`AnyConnection`, libpq), which hands each request
//! to another thread and back: on two cores those wake-ups cost more than the query itself
//! (bench/RESULTS.md). The hottest read, a UKM by id, is served here instead, over diesel-async's
//! tokio-postgres connections owned by the worker that asks, with the same typed query and rows.
//!
//! libpq and tokio-postgres read a URL differently, and libpq reads more than the URL, so this
//! pool exists only where both would connect alike: [`PointReadUrl::accept`] refuses the rest (say
//! `sslmode=verify-full`, which tokio-postgres does not know), and these reads then stay on libpq.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use diesel::prelude::*;
use diesel::{ConnectionError, ConnectionResult};
pub use diesel_async::AsyncPgConnection;
use diesel_async::RunQueryDsl;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
use postgres_openssl::MakeTlsConnector;

use crate::StoreError;
use crate::ids::UkmId;
use crate::persons::PersonRow;
use crate::ukm::UkmRow;

/// Async PostgreSQL connections for point reads; each worker builds its own, so that a connection's
/// socket is driven by the thread whose requests use it.
pub type PointReadPool = Pool<AsyncPgConnection>;

/// A PostgreSQL URL that tokio-postgres reads as libpq does. Its `Debug` omits the URL, which may
/// hold a password.
#[derive(Clone)]
pub struct PointReadUrl(String);

impl PointReadUrl {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PointReadUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PointReadUrl(..)")
    }
}

impl PointReadUrl {
    /// The URL if tokio-postgres would connect as libpq does, else why not (never the URL itself).
    /// `sslmode` may be `disable`, `prefer` (the default) or `require`: as with libpq, the last two
    /// encrypt without verifying the server's certificate; the verifying modes are refused, and so
    /// is what libpq reads besides the URL: `PG*` variables, a password file, a root certificate.
    pub fn accept(url: &str) -> Result<Self, String> {
        let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
        let exists = |path: &str| home.as_ref().is_some_and(|h| h.join(path).exists());
        let libpq_env = std::env::vars_os()
            .filter_map(|(name, _)| name.into_string().ok())
            .find(|name| name.starts_with("PG") && name != "PGDATA");
        Self::accept_in(
            url,
            LibpqSurroundings {
                env_var: libpq_env,
                password_file: exists(".pgpass"),
                root_certificate: exists(".postgresql/root.crt"),
            },
        )
    }

    fn accept_in(url: &str, around: LibpqSurroundings) -> Result<Self, String> {
        let config = url
            .parse::<tokio_postgres::Config>()
            .map_err(|e| e.to_string())?;
        if let Some(name) = around.env_var {
            return Err(format!("libpq would also read {name}"));
        }
        if config.get_password().is_none() && around.password_file {
            return Err("libpq may take the password from ~/.pgpass".into());
        }
        if around.root_certificate {
            return Err("libpq would verify the server against ~/.postgresql/root.crt".into());
        }
        Ok(Self(url.to_owned()))
    }

    /// A pool of at most `max_size` connections, opened when first asked for.
    pub fn pool(&self, max_size: usize) -> Result<PointReadPool, StoreError> {
        let mut config = ManagerConfig::default();
        // The default (`Verified`) runs a query at every checkout: one more round trip per read.
        // A connection that broke is still noticed (`is_broken`) and replaced.
        config.recycling_method = RecyclingMethod::Fast;
        config.custom_setup = Box::new(establish);
        let manager =
            AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(&self.0, config);
        Pool::builder(manager)
            .max_size(max_size)
            .build()
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    }
}

/// What libpq reads besides the URL.
#[derive(Debug, Default)]
struct LibpqSurroundings {
    env_var: Option<String>,
    password_file: bool,
    root_certificate: bool,
}

/// Connects as libpq does for `prefer` and `require`: TLS when the server offers it (required by
/// `require`), the certificate not verified.
fn establish(
    url: &str,
) -> Pin<Box<dyn Future<Output = ConnectionResult<AsyncPgConnection>> + Send + '_>> {
    Box::pin(async move {
        let bad = |e: &dyn fmt::Display| ConnectionError::BadConnection(e.to_string());
        let (client, connection) =
            tokio_postgres::connect(url, libpq_like_tls().map_err(|e| bad(&e))?)
                .await
                .map_err(|e| bad(&e))?;
        AsyncPgConnection::try_from_client_and_connection(client, connection).await
    })
}

/// TLS as libpq's `prefer` and `require` use it: offered, the certificate not verified.
pub(crate) fn libpq_like_tls() -> Result<MakeTlsConnector, openssl::error::ErrorStack> {
    let mut tls = SslConnector::builder(SslMethod::tls_client())?;
    tls.set_verify(SslVerifyMode::NONE);
    Ok(MakeTlsConnector::new(tls.build()))
}

/// A UKM with its owner: the same statement as [`crate::ukm::find_with_owner`].
pub async fn find_ukm_with_owner(
    conn: &mut AsyncPgConnection,
    id: UkmId,
    include_archived: bool,
) -> Result<(UkmRow, PersonRow), StoreError> {
    Ok(crate::ukm::ukm_with_owner!(id, include_archived)
        .first(conn)
        .await?)
}

/// What each worker builds its pool from; absent on SQLite and for URLs only libpq reads.
#[derive(Debug, Clone)]
pub struct PointReadSettings {
    pub url: PointReadUrl,
    /// Connections per worker.
    pub per_worker: usize,
    /// How long a read waits for a connection, as on the blocking pool.
    pub wait: Duration,
}

thread_local! {
    /// This thread's pool per database handle (`None`: it could not be built; read on the pool).
    static WORKER_POOLS: RefCell<HashMap<usize, Option<PointReadPool>>> = RefCell::new(HashMap::new());
}

/// The workers' own connections: each HTTP worker reads over its own, so that a connection's
/// socket is driven by the thread whose requests use it.
pub(crate) struct PointReads;

impl PointReads {
    /// Builds this thread's pool for the database `handle` and opens its connections.
    pub(crate) fn start(handle: usize, settings: Option<&PointReadSettings>) {
        if let Some(pool) = Self::pool(handle, settings)
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
            && let Some(settings) = settings
        {
            runtime.spawn(open_all(pool, settings.per_worker));
        }
    }

    fn pool(handle: usize, settings: Option<&PointReadSettings>) -> Option<PointReadPool> {
        let settings = settings?;
        WORKER_POOLS.with(|pools| {
            pools
                .borrow_mut()
                .entry(handle)
                .or_insert_with(|| match settings.url.pool(settings.per_worker) {
                    Ok(pool) => Some(pool),
                    Err(e) => {
                        tracing::warn!(error = %e, "point reads fall back to the blocking pool");
                        None
                    }
                })
                .clone()
        })
    }

    /// A UKM with its owner; `None` when this worker has no pool or its read failed for another
    /// reason than a missing UKM (a connection the server closed, the server gone): the caller
    /// then reads on the blocking pool, which answers as for any other read.
    pub(crate) async fn ukm_with_owner(
        handle: usize,
        settings: Option<&PointReadSettings>,
        id: UkmId,
        include_archived: bool,
    ) -> Option<Result<(UkmRow, PersonRow), StoreError>> {
        let wait = settings?.wait;
        let pool = Self::pool(handle, settings)?;
        let mut conn = match tokio::time::timeout(wait, pool.get()).await {
            Ok(Ok(conn)) => conn,
            Ok(Err(e)) => return fallen_back(&e),
            // As the blocking pool answers when all its connections stay busy.
            Err(_) => return Some(Err(StoreError::Busy)),
        };
        match find_ukm_with_owner(&mut conn, id, include_archived).await {
            Ok(found) => Some(Ok(found)),
            Err(StoreError::NotFound) => Some(Err(StoreError::NotFound)),
            Err(e) => fallen_back(&e),
        }
    }
}

/// Opens a worker's connections as it starts, before requests wait for them: a burst of requests
/// just after start otherwise waited up to 0.3 s while they were opened (p99 of the first seconds
/// 50-145 ms against 10 ms after). One that fails to open is opened later, when asked for.
async fn open_all(pool: PointReadPool, size: usize) {
    let mut opened = Vec::with_capacity(size);
    for _ in 0..size {
        match pool.get().await {
            Ok(conn) => opened.push(conn),
            Err(e) => {
                tracing::debug!(error = %e, "a point-read connection did not open at start");
                break;
            }
        }
    }
}

fn fallen_back<T>(error: &dyn std::fmt::Display) -> Option<T> {
    tracing::warn!(%error, "point read failed; reading on the blocking pool");
    None
}

#[cfg(test)]
mod tests {
    use super::{LibpqSurroundings, PointReadUrl};

    fn accept(url: &str) -> Result<PointReadUrl, String> {
        PointReadUrl::accept_in(url, LibpqSurroundings::default())
    }

    #[test]
    fn accepts_the_urls_both_drivers_read_alike() {
        for url in [
            "postgres://postgres@127.0.0.1:5432/klinik",
            "postgres://klinik:secret@db:5432/klinik?sslmode=require",
            "postgresql://klinik@db/klinik?sslmode=disable&connect_timeout=5",
            "postgres://klinik@db/klinik?sslmode=prefer&application_name=klinik",
        ] {
            assert!(accept(url).is_ok(), "{url}");
        }
    }

    #[test]
    fn refuses_verifying_modes_and_unknown_options_without_echoing_the_url() {
        for url in [
            "postgres://klinik:s3cret-pw@db/klinik?sslmode=verify-full",
            "postgres://klinik:s3cret-pw@db/klinik?sslmode=verify-ca",
            "postgres://klinik:s3cret-pw@db/klinik?sslrootcert=/etc/ca.pem",
            "postgres://klinik:s3cret-pw@db/klinik?service=klinik",
        ] {
            let why = accept(url).expect_err(url);
            assert!(!why.contains("s3cret-pw"), "{why}");
        }
        let accepted = accept("postgres://klinik:s3cret-pw@db/klinik");
        assert_eq!(format!("{accepted:?}"), "Ok(PointReadUrl(..))");
    }

    #[test]
    fn refuses_when_libpq_would_read_more_than_the_url() {
        let with_env = LibpqSurroundings {
            env_var: Some("PGSSLMODE".into()),
            ..LibpqSurroundings::default()
        };
        let why = PointReadUrl::accept_in("postgres://k:pw@db/k", with_env).expect_err("env");
        assert!(why.contains("PGSSLMODE"), "{why}");
        let pgpass = || LibpqSurroundings {
            password_file: true,
            ..LibpqSurroundings::default()
        };
        assert!(PointReadUrl::accept_in("postgres://k@db/k", pgpass()).is_err());
        // With the password in the URL, libpq does not look in the file.
        assert!(PointReadUrl::accept_in("postgres://k:pw@db/k", pgpass()).is_ok());
        let root = LibpqSurroundings {
            root_certificate: true,
            ..LibpqSurroundings::default()
        };
        assert!(PointReadUrl::accept_in("postgres://k:pw@db/k", root).is_err());
    }
}
