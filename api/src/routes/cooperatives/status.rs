//! Manual override of a cooperative's activity status.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, put, web};
use klinik_persistence::cooperatives::{self as store, ComputedStatus};

use super::dto::{Cooperative, StatusOverrideInput};
use super::{PERSONAL, load};
use crate::audit::{AuditContext, diff};
use crate::extract::{IfMatch, JsonBody};
use crate::problem::{ApiError, responses};
use crate::routes::with_etag;
use crate::state::AppState;

/// Override a cooperative's activity status.
///
/// The override wins over the computed status until it is cleared; the reason is required and
/// shown with the record. The computed status keeps being recomputed underneath.
#[utoipa::path(
    operation_id = "set_cooperative_status_override",
    tag = "cooperatives",
    request_body = StatusOverrideInput,
    params(
        ("id" = i64, Path, description = "The cooperative's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The cooperative with the override in force.", body = Cooperative,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 412, response = responses::PreconditionFailed),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[put("/cooperatives/{id}/status-override")]
pub async fn set_status_override(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
    body: JsonBody<StatusOverrideInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let input = body.value;
    input.validate()?;
    let state2 = state.clone();
    let record = state
        .write(move |conn| {
            let current = store::find(conn, id, false).map_err(ApiError::missing("Cooperative"))?;
            if_match.check(current.version)?;
            let before = load(conn, &state2.regions, id, false)?;
            let computed = ComputedStatus {
                status: current.computed_status,
                rule: current.status_rule,
            };
            let status = input.status.as_str();
            store::set_status(conn, id, &computed, Some((status, &input.reason)), status)?;
            let after = load(conn, &state2.regions, id, false)?;
            let changes = diff(Some(&before), Some(&after), PERSONAL);
            audit.record(
                conn,
                "set_status_override",
                "cooperative",
                Some(id.to_string()),
                Some(changes),
            )?;
            Ok(after)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}

/// Clear the override of a cooperative's activity status.
///
/// The computed status applies again. Clearing when no override is set changes nothing.
#[utoipa::path(
    operation_id = "clear_cooperative_status_override",
    tag = "cooperatives",
    params(
        ("id" = i64, Path, description = "The cooperative's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The cooperative with its computed status in force.", body = Cooperative,
            headers(("ETag" = String, description = "Its version."))),
        (status = 404, response = responses::NotFound),
        (status = 412, response = responses::PreconditionFailed),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[delete("/cooperatives/{id}/status-override")]
pub async fn clear_status_override(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let state2 = state.clone();
    let record = state
        .write(move |conn| {
            let current = store::find(conn, id, false).map_err(ApiError::missing("Cooperative"))?;
            if_match.check(current.version)?;
            let before = load(conn, &state2.regions, id, false)?;
            if current.status_override.is_none() {
                return Ok(before);
            }
            let effective = current.computed_status.clone();
            let computed = ComputedStatus {
                status: current.computed_status,
                rule: current.status_rule,
            };
            store::set_status(conn, id, &computed, None, &effective)?;
            let after = load(conn, &state2.regions, id, false)?;
            let changes = diff(Some(&before), Some(&after), PERSONAL);
            audit.record(
                conn,
                "clear_status_override",
                "cooperative",
                Some(id.to_string()),
                Some(changes),
            )?;
            Ok(after)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}
