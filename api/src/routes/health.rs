//! Liveness and readiness probes for orchestrators and load balancers.

use actix_web::HttpResponse;
use klinik_app::App;
use serde::Serialize;
use utoipa::ToSchema;

use crate::problem::ApiError;
use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config.service(get_health_live).service(get_health_ready);
}

/// A probe's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the probe passes.
    #[schema(example = "ok")]
    pub status: String,
    /// Readiness with read replicas configured (`KLINIK_READ_DATABASE_URL`): each replica's
    /// state. A `degraded` one is not read from; its reads go to the primary, so the service
    /// stays ready. (Absent rather than null without replicas, hence a plain array in the
    /// contract.)
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Vec<ReplicaHealth>)]
    pub read_replicas: Option<Vec<ReplicaHealth>>,
}

/// A read replica as the readiness probe found it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplicaHealth {
    /// Host, port and database (never credentials).
    #[schema(example = "db-replica-1:5432/klinik")]
    pub replica: String,
    /// `ok`, or `degraded` when it does not answer.
    #[schema(example = "ok")]
    pub status: String,
}

/// Liveness: the process answers.
///
/// Always 200 while the server runs; it does not touch the database. Public.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "The process is alive.", body = Health, example = json!({"status": "ok"}))),
)]
#[get("/health/live")]
pub async fn get_health_live() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
        read_replicas: None,
    })
}

/// Readiness: the database answers.
///
/// 200 when a pooled connection answers `SELECT 1` within two seconds, 503 otherwise; it recovers
/// by itself when the database is back. With read replicas, `read_replicas` says which answer and
/// which are `degraded` (their reads go to the primary meanwhile). Public.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "The database answers.", body = Health, example = json!({"status": "ok",
            "read_replicas": [{"replica": "db-replica-1:5432/klinik", "status": "degraded"}]})),
    ),
)]
#[get("/health/ready")]
pub async fn get_health_ready(app: web::Data<App>) -> Result<HttpResponse, ApiError> {
    klinik_app::health::ready(&app).await?;
    let replicas = app.db.check_replicas().await;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".into(),
        read_replicas: (!replicas.is_empty()).then(|| {
            replicas
                .into_iter()
                .map(|r| ReplicaHealth {
                    replica: r.name,
                    status: if r.answering { "ok" } else { "degraded" }.into(),
                })
                .collect()
        }),
    }))
}
