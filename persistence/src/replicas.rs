//! Streaming replicas of the PostgreSQL primary (`KLINIK_READ_DATABASE_URL`), for the reads that
//! cost the most: lists, searches, exports and indicators. PostgreSQL's own replication keeps them;
//! this only chooses where a read goes.
//!
//! Read-your-writes: every write of a caller also bumps that caller's row in `write_marks`, in the
//! same transaction. Before a caller's read goes to a replica, the mark is read on the primary and
//! on the replica: equal means the replica has replayed the caller's last write, so the read may
//! go there; otherwise it goes to the primary. The mark lives in the database, so it holds
//! whichever instance took the write. A replica that fails is left alone for a few seconds and the
//! read goes to the primary; `/health/ready` names it as degraded meanwhile.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel::prelude::*;

use crate::connection::{ConnectionManager, DatabaseUrl};
use crate::schema::write_marks;
use crate::{AnyConnection, Pool, PooledConnection, StoreError};

/// How long a replica that failed is not asked again.
const REST_AFTER_FAILURE: Duration = Duration::from_secs(5);
/// How long a read waits for a replica's connection before going to the primary.
const CONNECT_WAIT: Duration = Duration::from_secs(1);

/// One replica: its pool and a name for operators (host, port and database; never a password).
pub struct Replica {
    pool: Pool,
    pub name: String,
    failed_at: Mutex<Option<Instant>>,
}

/// The configured replicas, asked in turn.
pub struct Replicas {
    members: Vec<Replica>,
    next: AtomicUsize,
}

/// A replica's state for the readiness probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaState {
    pub name: String,
    pub answering: bool,
}

/// Whether `url` is a PostgreSQL URL a replica pool can open.
pub fn is_replica_url(url: &str) -> bool {
    matches!(DatabaseUrl::parse(url), DatabaseUrl::Postgres(_))
        && url.parse::<tokio_postgres::Config>().is_ok()
}

/// `host:port/database` of a PostgreSQL URL, for logs and the probe.
fn display_name(url: &str) -> String {
    url.parse::<tokio_postgres::Config>()
        .map(|c| {
            let host = c
                .get_hosts()
                .first()
                .map(|h| match h {
                    tokio_postgres::config::Host::Tcp(name) => name.clone(),
                    tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
                })
                .unwrap_or_default();
            let port = c.get_ports().first().copied().unwrap_or(5432);
            format!("{host}:{port}/{}", c.get_dbname().unwrap_or_default())
        })
        .unwrap_or_else(|_| "replica".into())
}

impl Replicas {
    /// Pools for `urls`, each of `max_size` connections, opened when first used: a replica that is
    /// down at start does not stop the service.
    pub fn open(urls: &[String], max_size: u32) -> Result<Replicas, StoreError> {
        let members = urls
            .iter()
            .map(|url| {
                let pool = r2d2::Pool::builder()
                    .max_size(max_size)
                    .min_idle(Some(0))
                    .connection_timeout(CONNECT_WAIT)
                    .build_unchecked(ConnectionManager::new(DatabaseUrl::Postgres(url.clone())));
                Replica {
                    pool,
                    name: display_name(url),
                    failed_at: Mutex::new(None),
                }
            })
            .collect();
        Ok(Replicas {
            members,
            next: AtomicUsize::new(0),
        })
    }

    /// The replicas in the order this read should try them (round robin), skipping those resting
    /// after a failure.
    fn candidates(&self) -> impl Iterator<Item = &Replica> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let n = self.members.len();
        (0..n)
            .map(move |i| &self.members[(start + i) % n])
            .filter(|r| !r.resting())
    }

    /// A connection to a replica that has replayed `reader`'s last write (any replica when
    /// `reader` is `None`), or `None`: then the read goes to the primary.
    pub fn connection_for(
        &self,
        primary: &mut AnyConnection,
        reader: Option<&str>,
    ) -> Option<(PooledConnection, &Replica)> {
        let mark = match reader {
            Some(reader) => match mark_of(primary, reader) {
                Ok(mark) => Some(mark),
                Err(_) => return None,
            },
            None => None,
        };
        for replica in self.candidates() {
            let mut conn = match replica.pool.get() {
                Ok(conn) => conn,
                Err(error) => {
                    replica.failed(&error.to_string());
                    continue;
                }
            };
            match (reader, mark) {
                (Some(reader), Some(mark)) => match mark_of(&mut conn, reader) {
                    Ok(seen) if seen == mark => return Some((conn, replica)),
                    // Behind this caller's last write: the primary answers.
                    Ok(_) => return None,
                    Err(error) => replica.failed(&error.to_string()),
                },
                _ => return Some((conn, replica)),
            }
        }
        None
    }

    /// Whether each replica answers `SELECT 1` now (the readiness probe).
    pub fn check(&self) -> Vec<ReplicaState> {
        self.members
            .iter()
            .map(|replica| {
                let answering = replica
                    .pool
                    .get()
                    .map_err(|e| e.to_string())
                    .and_then(|mut c| crate::ping(&mut c).map_err(|e| e.to_string()))
                    .inspect_err(|error| replica.failed(error))
                    .is_ok();
                if answering && let Ok(mut failed) = replica.failed_at.lock() {
                    *failed = None;
                }
                ReplicaState {
                    name: replica.name.clone(),
                    answering,
                }
            })
            .collect()
    }
}

impl Replica {
    fn resting(&self) -> bool {
        self.failed_at
            .lock()
            .ok()
            .and_then(|f| *f)
            .is_some_and(|at| at.elapsed() < REST_AFTER_FAILURE)
    }

    /// Records that a read here failed, so that the next reads skip it for a while.
    pub fn failed(&self, error: &str) {
        tracing::warn!(replica = %self.name, %error, "a read replica failed; reading on the primary");
        if let Ok(mut failed) = self.failed_at.lock() {
            *failed = Some(Instant::now());
        }
    }
}

/// The caller's write mark as `conn` sees it (0 before their first write).
fn mark_of(conn: &mut AnyConnection, reader: &str) -> Result<i64, StoreError> {
    Ok(write_marks::table
        .find(reader)
        .select(write_marks::seq)
        .first::<i64>(conn)
        .optional()?
        .unwrap_or(0))
}

/// Bumps `writer`'s mark inside their write transaction (PostgreSQL only: replicas are
/// PostgreSQL's).
pub fn mark_write(conn: &mut AnyConnection, writer: &str) -> Result<(), diesel::result::Error> {
    if let AnyConnection::Pg(pg) = conn {
        diesel::insert_into(write_marks::table)
            .values((write_marks::writer.eq(writer), write_marks::seq.eq(1_i64)))
            .on_conflict(write_marks::writer)
            .do_update()
            .set(write_marks::seq.eq(write_marks::seq + 1))
            .execute(pg)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::display_name;

    #[test]
    fn a_replica_is_named_without_its_password() {
        assert_eq!(
            display_name("postgres://klinik:s3cret@db-2.internal:5433/klinik"),
            "db-2.internal:5433/klinik"
        );
    }
}
