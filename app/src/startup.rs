//! Start-up: open the database, bring its schema and reference data up to date, and assemble
//! the [`App`] every use case runs against. The server, the command line and the tests all
//! start here.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use klinik_domain::size_class::{Ceilings, Thresholds};
use klinik_persistence::pg_reads::{PointReadSettings, PointReadUrl};
use klinik_persistence::{Database, DatabaseUrl, PoolOptions, build_pool, regions, run_migrations};

use crate::auth::{bootstrap, passwords};
use crate::prelude::*;
use crate::registry::cooperatives::status;
use crate::registry::region_list;
use crate::settings::Settings;
use crate::state::RegionIndex;
use klinik_domain::regions::Area;
use klinik_persistence::replicas::Replicas;

/// Opens the database, applies migrations, recomputes statuses under the rule in force, creates
/// the first admin and the shipped instruments when missing, and loads the reference data.
pub fn prepare(settings: &Settings) -> anyhow::Result<App> {
    if let DatabaseUrl::Sqlite(path) = &settings.database_url
        && let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating the data directory {}", parent.display()))?;
    }
    let options = PoolOptions {
        max_size: settings.pool_size,
        ..PoolOptions::default()
    };
    let pool = build_pool(&settings.database_url, options).context("opening the database")?;
    let mut conn = pool.get().context("connecting to the database")?;
    let applied = run_migrations(&mut conn).context("applying migrations")?;
    klinik_persistence::refresh_statistics(&mut conn).context("refreshing statistics")?;
    tracing::info!(
        applied,
        backend = settings.database_url.backend_name(),
        "database ready"
    );
    let regions = load_regions(&mut conn, &settings.area)?;
    let refreshed = status::refresh_all(&mut conn, settings.activity_rule)
        .map_err(|e| anyhow::anyhow!("recomputing activity statuses: {e}"))?;
    if refreshed > 0 {
        tracing::info!(refreshed, rule = %settings.activity_rule.name(), "activity statuses recomputed");
    }
    bootstrap::first_admin(&mut conn, settings)?;
    let shipped =
        crate::clinic::instruments::shipped().context("serialising the shipped instruments")?;
    let added = klinik_persistence::clinic::instruments::ensure(&mut conn, &shipped)
        .map_err(|e| anyhow::anyhow!("storing the shipped instruments: {e}"))?;
    if added > 0 {
        tracing::info!(added, "health-assessment instruments stored");
    }
    let size_thresholds = size_thresholds(&mut conn)?;
    let data_key = bootstrap::data_keys(settings)?;
    let sealed = crate::personal_data::seal_legacy(&mut conn, &data_key)
        .map_err(|e| anyhow::anyhow!("sealing personal data stored in clear: {e}"))?;
    if sealed > 0 {
        tracing::info!(
            sealed,
            "personal data stored in clear before migration 13 is now sealed"
        );
    }
    drop(conn);
    let tokens = bootstrap::token_keys(settings)?;
    let decoy = passwords::random_hex(16).map_err(|_| anyhow::anyhow!("no random source"))?;
    let decoy_hash = passwords::hash(&decoy).map_err(|_| anyhow::anyhow!("hashing failed"))?;
    let point_reads = point_read_settings(settings, &options);
    let replicas = (!settings.read_database_urls.is_empty())
        .then(|| Replicas::open(&settings.read_database_urls, settings.pool_size))
        .transpose()
        .context("opening the read replicas")?;
    Ok(App {
        db: Database::with_replicas(pool, point_reads, replicas),
        regions: Arc::new(regions),
        activity_rule: settings.activity_rule,
        tokens,
        decoy_hash: Arc::new(decoy_hash),
        data_key,
        size_thresholds: Arc::new(size_thresholds),
        indicators_cache: Arc::default(),
        ukm_counts: Arc::default(),
        callers: Arc::default(),
        protection: Arc::new(settings.protection.clone()),
        integration: Arc::new(settings.integration.clone()),
        sign_in_rate: Arc::new(crate::auth::throttle::SignInRate::new(
            settings.protection.sign_in_per_minute,
        )),
        hashing: crate::auth::throttle::PasswordHashing::new(
            std::thread::available_parallelism().map_or(2, |n| n.get()),
        ),
        documents: crate::documents::Storage::open(&settings.documents)
            .context("opening the document store")?,
        reminders: Arc::new(settings.reminders.clone()),
    })
}

/// Adds the area's regions the database lacks from the shipped list, then loads every stored
/// region.
fn load_regions(conn: &mut AnyConnection, area: &Area) -> anyhow::Result<RegionIndex> {
    let added = region_list::add_missing(conn, area).context("adding the area's regions")?;
    if added > 0 {
        tracing::info!(added, area = %area.to_setting(), "regions of the area stored");
    }
    let stored = regions::load_all(conn).context("loading the regions")?;
    // Lists, filters and indicators find a region's records by the prefix of their village's code.
    if let Some(odd) = stored
        .kelurahan
        .iter()
        .find(|k| k.code.get(..8) != Some(k.kecamatan_code.as_str()))
    {
        anyhow::bail!(
            "kelurahan {} does not begin with its kecamatan's code {}",
            odd.code,
            odd.kecamatan_code
        );
    }
    let index = RegionIndex::new(area.clone(), stored);
    anyhow::ensure!(
        index.villages().next().is_some(),
        "KLINIK_REGIONS={}: the area has no desa or kelurahan",
        area.to_setting()
    );
    Ok(index)
}

fn size_thresholds(conn: &mut AnyConnection) -> anyhow::Result<Vec<Thresholds>> {
    let rows = klinik_persistence::ukm::thresholds(conn)
        .map_err(|e| anyhow::anyhow!("loading size thresholds: {e}"))?;
    Ok(rows
        .into_iter()
        .map(|t| Thresholds {
            regulation: t.regulation,
            effective_from: t.effective_from,
            capital: Ceilings {
                mikro: t.capital_mikro,
                kecil: t.capital_kecil,
                menengah: t.capital_menengah,
            },
            annual_sales: Ceilings {
                mikro: t.sales_mikro,
                kecil: t.sales_kecil,
                menengah: t.sales_menengah,
            },
        })
        .collect())
}

/// On PostgreSQL, each worker also keeps a share of `KLINIK_DB_POOL_SIZE` connections for point
/// reads, unless the URL holds what only libpq reads (then those reads stay on the blocking pool).
fn point_read_settings(settings: &Settings, options: &PoolOptions) -> Option<PointReadSettings> {
    let DatabaseUrl::Postgres(url) = &settings.database_url else {
        return None;
    };
    match PointReadUrl::accept(url) {
        Ok(url) => Some(PointReadSettings {
            url,
            per_worker: (settings.pool_size as usize).div_ceil(settings.workers.max(1)),
            wait: options.connection_timeout,
        }),
        Err(why) => {
            tracing::info!(%why, "a UKM by id is read on the blocking pool, as all else");
            None
        }
    }
}

/// One connection to the configured database for a command (`users create-admin`, `backup`,
/// `keys rotate`): the SQLite file's directory created, and pending migrations applied when
/// `migrate`. Returned with its pool, which must outlive it.
pub fn command_connection(
    settings: &Settings,
    migrate: bool,
) -> anyhow::Result<(
    klinik_persistence::Pool,
    klinik_persistence::PooledConnection,
)> {
    if let DatabaseUrl::Sqlite(path) = &settings.database_url
        && let Some(parent) = Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let options = PoolOptions {
        max_size: 1,
        ..PoolOptions::default()
    };
    let pool = build_pool(&settings.database_url, options).context("opening the database")?;
    let mut conn = pool.get().context("connecting to the database")?;
    if migrate {
        run_migrations(&mut conn).context("applying migrations")?;
    }
    Ok((pool, conn))
}
