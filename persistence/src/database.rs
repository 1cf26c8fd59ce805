//! The one database handle: the pool, the blocking threads its queries run on, and the fast
//! path for point reads. Services ask it for a unit of work and never see which backend serves,
//! nor the thread hand-off; no connection is held across an `.await`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::ids::UkmId;
use crate::persons::PersonRow;
use crate::pg_reads::{PointReadSettings, PointReads};
use crate::replicas::{ReplicaState, Replicas};
use crate::ukm::UkmRow;
use crate::{AnyConnection, Pool, StoreError, write_transaction};

/// An error that a unit of work may end with: it must take storage errors, and say when the
/// connection may be broken, so that the pool checks it before anyone else uses it.
pub trait WorkError: From<StoreError> + From<diesel::result::Error> + Send + 'static {
    fn connection_suspect(&self) -> bool;
}

impl WorkError for StoreError {
    fn connection_suspect(&self) -> bool {
        matches!(
            self,
            StoreError::Unavailable(_) | StoreError::Database(_) | StoreError::Internal(_)
        )
    }
}

/// Tells apart the handles of one process (tests open many), for the workers' point-read pools.
static NEXT_HANDLE: AtomicUsize = AtomicUsize::new(1);

/// A moment's view of the database's use (see [`Database::usage`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUsage {
    pub in_use: usize,
    pub waiting: usize,
    pub size: usize,
}

#[derive(Clone)]
pub struct Database {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    /// One per pooled connection: held while a blocking task uses the database.
    slots: tokio::sync::Semaphore,
    /// Committed (or attempted) write transactions of this process: what caches are checked by.
    writes: AtomicU64,
    /// Tasks waiting for a slot, for the operators' metrics.
    waiting: AtomicUsize,
    point_reads: Option<PointReadSettings>,
    /// Streaming replicas for the reads that may go there (`read_nearby`).
    replicas: Option<Arc<Replicas>>,
    handle: usize,
}

impl Database {
    pub fn new(pool: Pool, point_reads: Option<PointReadSettings>) -> Self {
        Self::with_replicas(pool, point_reads, None)
    }

    /// A handle that sends the reads that may go there to `replicas`.
    pub fn with_replicas(
        pool: Pool,
        point_reads: Option<PointReadSettings>,
        replicas: Option<Replicas>,
    ) -> Self {
        let slots = tokio::sync::Semaphore::new(pool.max_size() as usize);
        Self {
            inner: Arc::new(Inner {
                pool,
                slots,
                writes: AtomicU64::new(0),
                waiting: AtomicUsize::new(0),
                point_reads,
                replicas: replicas.map(Arc::new),
                handle: NEXT_HANDLE.fetch_add(1, Ordering::Relaxed),
            }),
        }
    }

    /// The pool itself, for start-up and command-line work that runs outside any request.
    pub fn pool(&self) -> &Pool {
        &self.inner.pool
    }

    /// How many write transactions this process has run: a cached value computed when this was
    /// lower may be stale. Read it *before* computing what is cached.
    pub fn writes(&self) -> u64 {
        self.inner.writes.load(Ordering::SeqCst)
    }

    /// Counts a write another instance announced (`crate::write_signals`), so that what this
    /// process cached before it no longer serves.
    pub fn heard_write(&self) {
        self.inner.writes.fetch_add(1, Ordering::SeqCst);
    }

    /// On PostgreSQL, the task that hears other instances' writes for this handle, to be spawned
    /// once per process; `None` on SQLite, or where the URL is one only libpq reads (then the
    /// caches' age limits bound how long another instance's write takes to show).
    pub fn hear_other_writes(
        &self,
    ) -> Option<impl std::future::Future<Output = ()> + Send + 'static> {
        let url = self.inner.point_reads.as_ref()?.url.clone();
        let me = self.clone();
        Some(crate::write_signals::listen(url, move || me.heard_write()))
    }

    /// How busy the database is now: slots in use by tasks, tasks waiting for one, and the
    /// pool's size.
    pub fn usage(&self) -> PoolUsage {
        let size = self.inner.pool.max_size() as usize;
        PoolUsage {
            in_use: size.saturating_sub(self.inner.slots.available_permits()),
            waiting: self.inner.waiting.load(Ordering::Relaxed),
            size,
        }
    }

    /// Runs `work` that only reads, in one transaction.
    pub async fn read<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WorkError,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        self.run(move |conn| diesel::Connection::transaction(conn, work))
            .await
    }

    /// Runs `work` that reads with one statement, outside a transaction: it saves the BEGIN and
    /// COMMIT round trips on the hottest paths (the caller check, a record by id).
    pub async fn query<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WorkError,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        self.run(work).await
    }

    /// Runs `work` that only reads, in one transaction, on a replica when one is configured and
    /// has replayed `reader`'s last write (see `crate::replicas`), else on the primary. A replica
    /// failing mid-read is left for the primary to answer, which is why `work` must be `Clone`.
    pub async fn read_nearby<T, E, F>(&self, reader: Option<String>, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WorkError,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Clone + Send + 'static,
    {
        match self.inner.replicas.clone() {
            None => self.read(work).await,
            Some(replicas) => {
                let in_transaction =
                    move |conn: &mut AnyConnection| diesel::Connection::transaction(conn, work);
                self.run(move |primary| nearby(&replicas, primary, reader, in_transaction))
                    .await
            }
        }
    }

    /// As [`Database::read_nearby`] for `work` of one statement, outside a transaction (as
    /// [`Database::query`]).
    pub async fn query_nearby<T, E, F>(&self, reader: Option<String>, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WorkError,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Clone + Send + 'static,
    {
        match self.inner.replicas.clone() {
            None => self.query(work).await,
            Some(replicas) => {
                self.run(move |primary| nearby(&replicas, primary, reader, work))
                    .await
            }
        }
    }

    /// Whether the replicas answer, for the readiness probe (empty without replicas).
    pub async fn check_replicas(&self) -> Vec<ReplicaState> {
        let Some(replicas) = self.inner.replicas.clone() else {
            return Vec::new();
        };
        tokio::task::spawn_blocking(move || replicas.check())
            .await
            .unwrap_or_default()
    }

    /// Whether writes must keep their writers' marks (replicas are configured).
    pub fn keeps_write_marks(&self) -> bool {
        self.inner.replicas.is_some()
    }

    /// Runs `work` that writes, as one transaction: all of it commits or none of it does.
    pub async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WorkError,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        let outcome = self.run(move |conn| write_transaction(conn, work)).await;
        // Counted whatever the outcome: a failed commit may still have changed something.
        self.inner.writes.fetch_add(1, Ordering::SeqCst);
        outcome
    }

    /// Whether the database answers `SELECT 1` on a pooled connection within `wait` (the
    /// readiness probe). It bypasses the request queue: a probe must not wait behind load.
    pub async fn ping_within(&self, wait: std::time::Duration) -> Result<(), StoreError> {
        let pool = self.inner.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get_timeout(wait)?;
            crate::ping(&mut conn)
        })
        .await
        .map_err(|e| StoreError::Internal(e.to_string()))?
    }

    /// Opens this worker thread's point-read connections (PostgreSQL), so that the first burst
    /// of requests does not wait for them. Call once on each HTTP worker as it starts.
    pub fn start_worker(&self) {
        PointReads::start(self.inner.handle, self.inner.point_reads.as_ref());
    }

    /// A UKM with its owner. On PostgreSQL it is read by the asking worker itself when it can be;
    /// otherwise, or when that read fails for another reason than a missing UKM, on the pool.
    pub async fn ukm_with_owner(
        &self,
        id: UkmId,
        include_archived: bool,
    ) -> Result<(UkmRow, PersonRow), StoreError> {
        let settings = self.inner.point_reads.as_ref();
        if let Some(found) =
            PointReads::ukm_with_owner(self.inner.handle, settings, id, include_archived).await
        {
            return found;
        }
        self.query(move |conn| crate::ukm::find_with_owner(conn, id, include_archived))
            .await
    }

    async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WorkError,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        // At most one blocking task per pooled connection: the other requests wait here, on the
        // async workers, instead of as threads parked on the pool's lock, whose wake-ups cost
        // more than the queries under load. The wait is bounded like the pool's own.
        let inner = self.inner.clone();
        inner.waiting.fetch_add(1, Ordering::Relaxed);
        let slot =
            tokio::time::timeout(inner.pool.connection_timeout(), inner.slots.acquire()).await;
        inner.waiting.fetch_sub(1, Ordering::Relaxed);
        let _slot = slot
            .map_err(|_| StoreError::Busy)?
            .map_err(|_| StoreError::Internal("the connection slots are closed".into()))?;
        let pool = inner.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(StoreError::from)?;
            let outcome = work(&mut conn);
            // A lost connection shows as one of these: the pool pings it before its next use.
            if outcome.as_ref().is_err_and(WorkError::connection_suspect) {
                conn.mark_suspect();
            }
            outcome
        })
        .await
        .map_err(|e| StoreError::Internal(e.to_string()))?
    }
}

/// Runs `work` on a replica that may serve `reader`, or on `primary` when none may or the replica
/// fails meanwhile.
fn nearby<T, E, F>(
    replicas: &Replicas,
    primary: &mut AnyConnection,
    reader: Option<String>,
    work: F,
) -> Result<T, E>
where
    E: WorkError,
    F: FnOnce(&mut AnyConnection) -> Result<T, E> + Clone,
{
    if let Some((mut conn, replica)) = replicas.connection_for(primary, reader.as_deref()) {
        match work.clone()(&mut conn) {
            Err(error) if error.connection_suspect() => {
                conn.mark_suspect();
                replica.failed("a read failed");
            }
            outcome => return outcome,
        }
    }
    work(primary)
}
