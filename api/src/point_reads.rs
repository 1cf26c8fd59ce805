//! Point reads on PostgreSQL from the async worker itself (`klinik_persistence::pg_reads`): each
//! worker keeps its own few connections, so a read costs no hand-off to the blocking pool and back.

use std::time::Duration;

use klinik_persistence::StoreError;
use klinik_persistence::persons::PersonRow;
use klinik_persistence::pg_reads::{self, PointReadPool, PointReadUrl};
use klinik_persistence::ukm::UkmRow;

use crate::problem::ApiError;

/// What each worker builds its pool from; absent on SQLite and for URLs only libpq reads.
#[derive(Debug, Clone)]
pub struct PointReadSettings {
    pub url: PointReadUrl,
    /// Connections per worker.
    pub per_worker: usize,
    /// How long a read waits for a connection, as on the blocking pool.
    pub wait: Duration,
}

/// One worker's pool, or none: the caller then reads on the blocking pool.
pub struct PointReads {
    pool: Option<(PointReadPool, Duration)>,
}

impl PointReads {
    pub fn for_worker(settings: Option<&PointReadSettings>) -> Self {
        let pool = settings.and_then(|s| match s.url.pool(s.per_worker) {
            Ok(pool) => {
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    runtime.spawn(open_all(pool.clone(), s.per_worker));
                }
                Some((pool, s.wait))
            }
            Err(e) => {
                tracing::warn!(error = %e, "point reads fall back to the blocking pool");
                None
            }
        });
        Self { pool }
    }

    /// A UKM with its owner; `None` when this worker has no pool or its read failed for another
    /// reason than a missing UKM (a connection the server closed, the server gone): the caller
    /// then reads on the blocking pool, which answers as for any other read.
    pub async fn ukm_with_owner(
        &self,
        id: i64,
        include_archived: bool,
    ) -> Option<Result<(UkmRow, PersonRow), ApiError>> {
        let (pool, wait) = self.pool.as_ref()?;
        let mut conn = match tokio::time::timeout(*wait, pool.get()).await {
            Ok(Ok(conn)) => conn,
            Ok(Err(e)) => return fallen_back(&e),
            // As the blocking pool answers when all its connections stay busy.
            Err(_) => return Some(Err(ApiError::Unavailable)),
        };
        match pg_reads::find_ukm_with_owner(&mut conn, id, include_archived).await {
            Ok(found) => Some(Ok(found)),
            Err(StoreError::NotFound) => Some(Err(ApiError::not_found("UKM"))),
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
