//! Operators' metrics in Prometheus text: requests by operation and status with their latency,
//! the database pool, the change feed's backlog and the scheduler's runs. Served on an address of
//! their own (`KLINIK_METRICS_BIND`), never on the API's port; off when it is not set, and then
//! the request middleware is not installed at all.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use metrics::{Counter, Histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets, in seconds: from a cached read to a large export.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static RECORDER: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();

/// The process's recorder, installed on first use (metrics are global to a process).
pub fn recorder() -> anyhow::Result<PrometheusHandle> {
    RECORDER
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("klinik_http_request_duration_seconds".into()),
                    LATENCY_BUCKETS,
                )
                .and_then(|builder| builder.install_recorder())
                .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|e| anyhow::anyhow!("installing the metrics recorder: {e}"))
}

/// The metric handles of one operation, looked up in the registry once per worker thread: a
/// request then costs two atomic updates, no allocation and no registry lookup.
struct Handles {
    duration: Histogram,
    by_status: Vec<(u16, Counter)>,
}

thread_local! {
    static HANDLES: RefCell<HashMap<String, Handles>> = RefCell::new(HashMap::new());
}

fn observe(operation: &str, status: u16, seconds: f64) {
    HANDLES.with(|handles| {
        let mut handles = handles.borrow_mut();
        if !handles.contains_key(operation) {
            let duration = metrics::histogram!(
                "klinik_http_request_duration_seconds",
                "operation" => operation.to_owned()
            );
            handles.insert(
                operation.to_owned(),
                Handles {
                    duration,
                    by_status: Vec::new(),
                },
            );
        }
        let Some(entry) = handles.get_mut(operation) else {
            return;
        };
        entry.duration.record(seconds);
        match entry.by_status.iter().find(|(code, _)| *code == status) {
            Some((_, counter)) => counter.increment(1),
            None => {
                let counter = metrics::counter!(
                    "klinik_http_requests_total",
                    "operation" => operation.to_owned(),
                    "status" => status.to_string()
                );
                counter.increment(1);
                entry.by_status.push((status, counter));
            }
        }
    });
}

/// Middleware: counts each request under its operation and status, and times it. A documented
/// route's resource is named after its handler, which is its operation id in the contract; other
/// routes (Swagger UI, the contract file) count as `other`, unknown paths as `unmatched`, so ids
/// in paths never become labels.
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let response = next.call(req).await?;
    let request = response.request();
    let operation = match request.match_name() {
        Some(name) => name,
        None if request.match_pattern().is_some() => "other",
        None => "unmatched",
    };
    observe(
        operation,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    Ok(response)
}

/// The gauges read at scrape time, then everything as Prometheus text.
pub async fn render(handle: &PrometheusHandle, app: &klinik_app::App) -> String {
    let usage = app.db.usage();
    metrics::gauge!("klinik_db_connections_in_use").set(usage.in_use as f64);
    metrics::gauge!("klinik_db_connections_waiting").set(usage.waiting as f64);
    metrics::gauge!("klinik_db_pool_size").set(usage.size as f64);
    match klinik_app::changes::backlog(app).await {
        Ok(backlog) => {
            metrics::gauge!("klinik_change_feed_unsequenced").set(backlog.unsequenced as f64);
            metrics::gauge!("klinik_change_feed_head").set(backlog.head as f64);
        }
        Err(error) => tracing::warn!(%error, "could not read the change feed's backlog"),
    }
    match klinik_app::webhooks::backlog(app).await {
        Ok((pending, oldest)) => {
            metrics::gauge!("klinik_webhook_deliveries_pending").set(pending as f64);
            metrics::gauge!("klinik_webhook_oldest_pending_seconds").set(oldest.unwrap_or(0.0));
        }
        Err(error) => tracing::warn!(%error, "could not read the webhook backlog"),
    }
    handle.render()
}

/// The metrics server's one route.
pub fn configure(config: &mut web::ServiceConfig, handle: PrometheusHandle, app: klinik_app::App) {
    config
        .app_data(web::Data::new((handle, app)))
        .route("/metrics", web::get().to(serve));
}

async fn serve(state: web::Data<(PrometheusHandle, klinik_app::App)>) -> HttpResponse {
    let (handle, app) = state.get_ref();
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(render(handle, app).await)
}
