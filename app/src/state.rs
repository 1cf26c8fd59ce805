//! What every use case can reach: the database, the region index and the rules in force.

use std::sync::Arc;

use klinik_domain::activity_status::ActivityRule;
use klinik_persistence::{AnyConnection, Database, WorkError};

use crate::auth::tokens::TokenKeys;
use crate::personal_data::DataKey;
pub use crate::registry::region_index::RegionIndex;

/// What every use case can reach: the database, the region index, the rules and keys in force.
#[derive(Clone)]
pub struct App {
    pub db: Database,
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
    pub indicators_cache: Arc<crate::clinic::indicators::cache::IndicatorsCache>,
    /// The UKM list's totals per filter, until the next write (`crate::registry::ukm::counts`).
    pub ukm_counts: Arc<crate::registry::ukm::counts::ListCounts>,
    /// Accounts as the caller check loaded them a moment ago.
    pub callers: Arc<crate::auth::caller_cache::CallerCache>,
    pub protection: Arc<crate::settings::Protection>,
    pub integration: Arc<crate::settings::Integration>,
    /// Sign-in attempts per client address.
    pub sign_in_rate: Arc<crate::auth::throttle::SignInRate>,
    /// Password hashes allowed to run at once.
    pub hashing: crate::auth::throttle::PasswordHashing,
    /// Where evidence documents' bytes are kept.
    pub documents: crate::documents::Storage,
    pub reminders: Arc<crate::settings::Reminders>,
}

impl App {
    /// Runs `work` that only reads, in one transaction on a pooled connection, off the async
    /// workers.
    pub async fn read<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WorkError,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        self.db.read(work).await
    }

    /// Runs `work` that reads with one statement, outside a transaction.
    pub async fn query<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WorkError,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        self.db.query(work).await
    }

    /// Runs `work` that writes, as one transaction: all of it commits or none of it does.
    pub async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WorkError,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        self.db.write(work).await
    }
}
