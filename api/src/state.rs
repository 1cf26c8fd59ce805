//! What every handler can reach: the pool, the region index and the rules in force.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::web;
use klinik_domain::activity_status::ActivityRule;
use klinik_persistence::regions::{KecamatanRow, KelurahanRow};
use klinik_persistence::{AnyConnection, Pool};

use crate::auth::tokens::TokenKeys;
use crate::personal_data::DataKey;
use crate::problem::ApiError;

/// Kota Bogor's regions, loaded once at start: they are reference data that only a migration changes.
#[derive(Debug, Default)]
pub struct RegionIndex {
    pub kecamatan: Vec<KecamatanRow>,
    pub kelurahan: Vec<KelurahanRow>,
    kelurahan_by_code: HashMap<String, usize>,
    kecamatan_by_code: HashMap<String, usize>,
}

impl RegionIndex {
    pub fn new(kecamatan: Vec<KecamatanRow>, kelurahan: Vec<KelurahanRow>) -> Self {
        let kelurahan_by_code = kelurahan
            .iter()
            .enumerate()
            .map(|(i, k)| (k.code.clone(), i))
            .collect();
        let kecamatan_by_code = kecamatan
            .iter()
            .enumerate()
            .map(|(i, k)| (k.code.clone(), i))
            .collect();
        Self {
            kecamatan,
            kelurahan,
            kelurahan_by_code,
            kecamatan_by_code,
        }
    }

    pub fn kelurahan(&self, code: &str) -> Option<&KelurahanRow> {
        self.kelurahan_by_code
            .get(code)
            .map(|&i| &self.kelurahan[i])
    }

    pub fn kecamatan(&self, code: &str) -> Option<&KecamatanRow> {
        self.kecamatan_by_code
            .get(code)
            .map(|&i| &self.kecamatan[i])
    }
}

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub regions: Arc<RegionIndex>,
    pub activity_rule: ActivityRule,
    pub tokens: TokenKeys,
    /// A hash of a random password, verified against when a username is unknown so that an unknown
    /// username takes as long to refuse as a wrong password.
    pub decoy_hash: Arc<String>,
    /// Encrypts and hashes NIKs.
    pub data_key: DataKey,
    /// Size-class thresholds per regulation (reference data, loaded at start).
    pub size_thresholds: Arc<Vec<klinik_domain::size_class::Thresholds>>,
    /// Committed write transactions of this process: what the indicators cache is checked by.
    pub writes: Arc<crate::write_stamped::WriteCounter>,
    pub indicators_cache: Arc<crate::routes::clinic::indicators::cache::IndicatorsCache>,
    /// One per pooled connection: held while a blocking task uses the database.
    pub db_slots: Arc<tokio::sync::Semaphore>,
    /// Accounts as the caller check loaded them a moment ago.
    pub callers: Arc<crate::auth::caller_cache::CallerCache>,
    /// From which each worker opens its connections for point reads (PostgreSQL only).
    pub point_reads: Option<crate::point_reads::PointReadSettings>,
}

impl AppState {
    /// Runs `work` that only reads, in one transaction on a pooled connection, off the async
    /// workers. No connection is held across an `.await`.
    pub async fn read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        self.run(move |conn| diesel::Connection::transaction(conn, work))
            .await
    }

    /// Runs `work` that reads with one statement, outside a transaction: it saves the BEGIN and
    /// COMMIT round trips on the hottest paths (the caller check, a record by id).
    pub async fn query<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        self.run(work).await
    }

    /// Runs `work` that writes, as one transaction: all of it commits or none of it does.
    pub async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let outcome = self
            .run(move |conn| klinik_persistence::write_transaction(conn, work))
            .await;
        // Counted whatever the outcome: a failed commit may still have changed something.
        self.writes.bump();
        outcome
    }

    async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        // At most one blocking task per pooled connection: the other requests wait here, on the
        // async workers, instead of as threads parked on the pool's lock, whose wake-ups cost
        // more than the queries under load. The wait is bounded like the pool's own.
        let _slot = tokio::time::timeout(
            self.pool.connection_timeout(),
            self.db_slots.clone().acquire_owned(),
        )
        .await
        .map_err(|_| ApiError::Unavailable)?
        .map_err(|_| ApiError::Internal)?;
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get().map_err(klinik_persistence::StoreError::from)?;
            let outcome = work(&mut conn);
            // A lost connection shows as one of these: the pool pings it before its next use.
            if matches!(outcome, Err(ApiError::Unavailable | ApiError::Internal)) {
                conn.mark_suspect();
            }
            outcome
        })
        .await
        .map_err(|e| ApiError::internal(&e))?
    }
}
