//! Building the app (shared by the server and the tests) and serving it.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use anyhow::Context;
use klinik_app::settings::Settings;
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

use crate::contract_file::{CONTRACT_PATH, ContractFile};

use crate::auth::{access, guard};
use crate::extract::BodyLimit;
use crate::openapi::{ApiDoc, RouteTable, add_standard_responses};
use crate::problem::ApiError;
use crate::routes;
use crate::telemetry;

/// Every documented route: the app and the contract are built from this one list.
pub fn configure_routes(config: &mut ServiceConfig) {
    config.configure(routes::health::configure).service(
        scope::scope("/api/v1")
            .configure(routes::auth::configure)
            .configure(routes::users::configure)
            .configure(routes::clients::configure)
            .configure(routes::audit_events::configure)
            .configure(routes::regions::configure)
            .configure(routes::labels::configure)
            .configure(routes::cooperatives::configure)
            .configure(routes::annual_reports::configure)
            .configure(routes::ukm::configure)
            .configure(routes::clinic::configure)
            .configure(routes::documents::configure)
            .configure(routes::notifications::configure)
            .configure(routes::imports::configure)
            .configure(routes::economy::configure)
            .configure(routes::changes::configure)
            .configure(routes::webhooks::configure)
            .configure(routes::exports::configure),
    );
}

/// What the contract says of every operation by its shape: its access rule and security, and
/// the standard responses.
fn complete(spec: &mut utoipa::openapi::OpenApi) {
    access::document(spec);
    add_standard_responses(spec);
    crate::openapi::document_rate_limit_headers(spec);
    if let Err(error) = crate::contract_shape::shape(spec) {
        // The document is built from the code's own types; a failure here is a bug to see at once.
        tracing::error!(%error, "reshaping the contract failed; serving it as generated");
    }
}

/// The OpenAPI document of the running code.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut spec = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(configure_routes)
        .split_for_parts()
        .1;
    complete(&mut spec);
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

/// A request no route matched: 405 with `Allow` for a documented path, else 404.
async fn unmatched(request: HttpRequest, routes: web::Data<RouteTable>) -> HttpResponse {
    match routes.allowed(request.path()) {
        Some(methods) => {
            let allow = methods
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            HttpResponse::from_error(ApiError(klinik_app::Error::MethodNotAllowed { allow }))
        }
        None => HttpResponse::from_error(ApiError(klinik_app::Error::not_found_path())),
    }
}

/// The whole application over `app`.
pub fn build_app(
    app: klinik_app::App,
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
    build_observed_app(app, max_body_bytes, false)
}

/// [`build_app`], with each request counted for the operators' metrics when `metrics` is on (the
/// process's recorder must be installed: [`crate::metrics::recorder`]).
pub fn build_observed_app(
    app: klinik_app::App,
    max_body_bytes: usize,
    metrics: bool,
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
    let path_config = web::PathConfig::default()
        .error_handler(|_, _| ApiError(klinik_app::Error::not_found_path()).into());
    // Called on the worker that serves with it (`HttpServer` builds the app once per worker).
    app.db.start_worker();
    let cors = app.protection.cors.clone();
    let (service, mut spec) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .app_data(web::Data::new(app))
        .app_data(BodyLimit(max_body_bytes))
        .app_data(path_config)
        .configure(configure_routes)
        .split_for_parts();
    complete(&mut spec);
    let routes = web::Data::new(RouteTable::from_spec(&spec));
    let contract = ContractFile::of(&spec)
        .inspect_err(|error| tracing::error!(%error, "preparing the contract file failed"))
        .ok();
    service
        .app_data(routes)
        .route(
            CONTRACT_PATH,
            web::get().to(move |request: HttpRequest| {
                let response = match contract {
                    Some(file) => file.respond(&request),
                    None => HttpResponse::from_error(ApiError(klinik_app::Error::Internal)),
                };
                std::future::ready(response)
            }),
        )
        .service(SwaggerUi::new("/swagger-ui/{_:.*}").config(swagger_ui_config()))
        .service(web::redirect("/swagger-ui", "/swagger-ui/"))
        .default_service(web::to(unmatched))
        .wrap(from_fn(crate::language::localize))
        .wrap(from_fn(guard::identify))
        .wrap(from_fn(crate::browser::conditional))
        .wrap(from_fn(crate::security_headers::add))
        .wrap(from_fn(telemetry::request_context))
        .wrap(actix_web::middleware::Condition::new(
            metrics,
            from_fn(crate::metrics::record),
        ))
        .wrap(actix_web::middleware::Compress::default())
        .wrap(crate::browser::cors(cors))
}

/// Swagger UI for testers: the token survives a reload (kept in the browser's local storage),
/// each answer shows how long it took, and the contract is never sent to an outside validator
/// (Swagger UI asks validator.swagger.io by default on any host but localhost).
fn swagger_ui_config() -> utoipa_swagger_ui::Config<'static> {
    utoipa_swagger_ui::Config::new([CONTRACT_PATH])
        .persist_authorization(true)
        .display_request_duration(true)
        .validator_url("none")
        .filter(true)
}

/// Everything the app needs, from the settings: see [`klinik_app::startup::prepare`].
pub fn prepare_state(settings: &Settings) -> anyhow::Result<klinik_app::App> {
    klinik_app::startup::prepare(settings)
}

/// Serves until SIGINT or SIGTERM, then finishes the requests in flight (graceful shutdown).
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = prepare_state(&settings)?;
    // Other instances' writes empty this one's caches at once.
    if let Some(hearing) = app.db.hear_other_writes() {
        actix_web::rt::spawn(hearing);
    }
    if let Some(tick) = settings.scheduler_tick {
        actix_web::rt::spawn(klinik_app::scheduler::run_forever(app.clone(), tick));
    }
    let max_body = settings.max_body_bytes;
    let metrics = match settings.metrics_bind {
        None => None,
        Some(address) => {
            let handle = crate::metrics::recorder()?;
            // Histograms keep their samples until drained: drain them even when nobody scrapes.
            let upkeep = handle.clone();
            actix_web::rt::spawn(async move {
                loop {
                    actix_web::rt::time::sleep(std::time::Duration::from_secs(5)).await;
                    upkeep.run_upkeep();
                }
            });
            let state = app.clone();
            let server = HttpServer::new(move || {
                App::new()
                    .configure(|c| crate::metrics::configure(c, handle.clone(), state.clone()))
            })
            .workers(1)
            .bind(address)
            .with_context(|| format!("binding the metrics address {address}"))?;
            tracing::info!(%address, "metrics at /metrics");
            Some(server.run())
        }
    };
    if let Some(every) = app.integration.webhook_poll {
        actix_web::rt::spawn(klinik_app::webhooks::delivery::run_forever(
            app.clone(),
            every,
        ));
    }
    let observed = metrics.is_some();
    let server = HttpServer::new(move || build_observed_app(app.clone(), max_body, observed))
        .workers(settings.workers)
        .shutdown_timeout(30)
        .bind(settings.bind)
        .with_context(|| format!("binding {}", settings.bind))?;
    tracing::info!(address = %settings.bind, "serving; Swagger UI at /swagger-ui/");
    match metrics {
        // Both stop together on SIGINT or SIGTERM (each server listens for them).
        Some(metrics) => {
            let (api, metrics) = futures_util::future::join(server.run(), metrics).await;
            api.context("running the HTTP server")?;
            metrics.context("running the metrics server")?;
        }
        None => server.run().await.context("running the HTTP server")?,
    }
    tracing::info!("stopped");
    Ok(())
}
