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
    })
}

/// Readiness: the database answers.
///
/// 200 when a pooled connection answers `SELECT 1` within two seconds, 503 otherwise; it recovers
/// by itself when the database is back. Public.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "The database answers.", body = Health, example = json!({"status": "ok"})),
    ),
)]
#[get("/health/ready")]
pub async fn get_health_ready(app: web::Data<App>) -> Result<HttpResponse, ApiError> {
    klinik_app::health::ready(&app).await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".into(),
    }))
}
