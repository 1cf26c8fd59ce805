//! Building the app (shared by the server and the tests) and serving it.

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, ResponseError, web};
use anyhow::Context;
use klinik_persistence::pg_reads::PointReadUrl;
use klinik_persistence::{DatabaseUrl, PoolOptions, build_pool, regions, run_migrations};
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::tokens::TokenKeys;
use crate::auth::{access, bootstrap, caller, passwords};
use crate::extract::BodyLimit;
use crate::openapi::{ApiDoc, RouteTable};
use crate::personal_data::DataKey;
use crate::point_reads::{PointReadSettings, PointReads};
use crate::problem::ApiError;
use crate::routes::ukm;
use crate::routes::{
    annual_reports, audit_events, auth as auth_routes, clients, cooperatives, health,
    regions as region_routes, users,
};
use crate::settings::Settings;
use crate::state::{AppState, RegionIndex};
use crate::telemetry;

/// Every documented route: the app and the contract are built from this one list.
pub fn configure_routes(config: &mut ServiceConfig) {
    config.configure(health::configure).service(
        scope::scope("/api/v1")
            .configure(auth_routes::configure)
            .configure(users::configure)
            .configure(clients::configure)
            .configure(audit_events::configure)
            .configure(region_routes::configure)
            .configure(cooperatives::configure)
            .configure(annual_reports::configure)
            .configure(ukm::configure)
            .configure(crate::routes::clinic::configure)
            .configure(crate::routes::imports::configure)
            .configure(crate::routes::exports::configure),
    );
}

/// The OpenAPI document of the running code.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut spec = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(configure_routes)
        .split_for_parts()
        .1;
    access::document(&mut spec);
    spec
}

/// The spec as committed in `openapi/openapi.json` (pretty JSON with a final newline).
pub fn openapi_json() -> anyhow::Result<String> {
    let mut text = openapi()
        .to_pretty_json()
        .context("serialising the OpenAPI document")?;
    text.push('\n');
    Ok(text)
}

async fn unmatched(request: HttpRequest, routes: web::Data<RouteTable>) -> HttpResponse {
    match routes.allowed(request.path()) {
        Some(methods) => {
            let allow = methods
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            ApiError::MethodNotAllowed { allow }.error_response()
        }
        None => ApiError::NotFound {
            detail: "No such resource.".into(),
        }
        .error_response(),
    }
}

/// The whole application over `state`.
pub fn build_app(
    state: AppState,
    max_body_bytes: usize,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    // A path segment that is not a valid id names no record.
    let path_config = web::PathConfig::default().error_handler(|_, _| {
        ApiError::NotFound {
            detail: "No such resource.".into(),
        }
        .into()
    });
    // Built here, on the worker that serves with it (`HttpServer` calls this once per worker).
    let point_reads = web::Data::new(PointReads::for_worker(state.point_reads.as_ref()));
    let (app, mut spec) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .app_data(web::Data::new(state))
        .app_data(point_reads)
        .app_data(BodyLimit(max_body_bytes))
        .app_data(path_config)
        .configure(configure_routes)
        .split_for_parts();
    access::document(&mut spec);
    let routes = web::Data::new(RouteTable::from_spec(&spec));
    app.app_data(routes)
        .service(SwaggerUi::new("/swagger-ui/{_:.*}").url("/api-docs/openapi.json", spec))
        .service(web::redirect("/swagger-ui", "/swagger-ui/"))
        .default_service(web::to(unmatched))
        .wrap(from_fn(caller::authorize))
        .wrap(from_fn(telemetry::request_context))
}

/// Opens the database, applies migrations, loads the regions: everything the app needs.
pub fn prepare_state(settings: &Settings) -> anyhow::Result<AppState> {
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
    let (kecamatan, kelurahan) = regions::load_all(&mut conn).context("loading the regions")?;
    // The UKM list finds a kecamatan's businesses by this prefix of their kelurahan's code.
    if let Some(odd) = kelurahan
        .iter()
        .find(|k| k.code.get(..8) != Some(k.kecamatan_code.as_str()))
    {
        anyhow::bail!(
            "kelurahan {} does not begin with its kecamatan's code {}",
            odd.code,
            odd.kecamatan_code
        );
    }
    let refreshed = cooperatives::refresh_all_statuses(&mut conn, settings.activity_rule)
        .map_err(|e| anyhow::anyhow!("recomputing activity statuses: {e}"))?;
    if refreshed > 0 {
        tracing::info!(refreshed, rule = %settings.activity_rule.name(), "activity statuses recomputed");
    }
    bootstrap::first_admin(&mut conn, settings)?;
    let shipped = crate::routes::clinic::instruments::shipped()
        .context("serialising the shipped instruments")?;
    let added = klinik_persistence::clinic::instruments::ensure(&mut conn, &shipped)
        .map_err(|e| anyhow::anyhow!("storing the shipped instruments: {e}"))?;
    if added > 0 {
        tracing::info!(added, "health-assessment instruments stored");
    }
    let size_thresholds = klinik_persistence::ukm::thresholds(&mut conn)
        .map_err(|e| anyhow::anyhow!("loading size thresholds: {e}"))?
        .into_iter()
        .map(|t| klinik_domain::size_class::Thresholds {
            regulation: t.regulation,
            effective_from: t.effective_from,
            capital: klinik_domain::size_class::Ceilings {
                mikro: t.capital_mikro,
                kecil: t.capital_kecil,
                menengah: t.capital_menengah,
            },
            annual_sales: klinik_domain::size_class::Ceilings {
                mikro: t.sales_mikro,
                kecil: t.sales_kecil,
                menengah: t.sales_menengah,
            },
        })
        .collect();
    drop(conn);
    let data_key = DataKey::from_master(&bootstrap::data_key(settings)?);
    let key = bootstrap::signing_key(settings)?;
    let tokens = TokenKeys::new(&key).context("loading the signing key")?;
    let decoy = passwords::random_hex(16).map_err(|_| anyhow::anyhow!("no random source"))?;
    let decoy_hash = passwords::hash(&decoy).map_err(|_| anyhow::anyhow!("hashing failed"))?;
    let db_slots = Arc::new(tokio::sync::Semaphore::new(pool.max_size() as usize));
    let point_reads = point_read_settings(settings, &options);
    Ok(AppState {
        pool,
        db_slots,
        regions: Arc::new(RegionIndex::new(kecamatan, kelurahan)),
        activity_rule: settings.activity_rule,
        tokens,
        decoy_hash: Arc::new(decoy_hash),
        data_key,
        size_thresholds: Arc::new(size_thresholds),
        writes: Arc::default(),
        indicators_cache: Arc::default(),
        callers: Arc::default(),
        point_reads,
    })
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

/// Serves until SIGINT or SIGTERM, then finishes the requests in flight (graceful shutdown).
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let state = prepare_state(&settings)?;
    let max_body = settings.max_body_bytes;
    let server = HttpServer::new(move || build_app(state.clone(), max_body))
        .workers(settings.workers)
        .shutdown_timeout(30)
        .bind(settings.bind)
        .with_context(|| format!("binding {}", settings.bind))?;
    tracing::info!(address = %settings.bind, "serving; Swagger UI at /swagger-ui/");
    server.run().await.context("running the HTTP server")?;
    tracing::info!("stopped");
    Ok(())
}
