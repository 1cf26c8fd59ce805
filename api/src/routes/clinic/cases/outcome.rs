//! `PUT /api/v1/cases/{id}/outcome`: an admin's override of a closed case's computed outcome.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, put, web};
use klinik_domain::Violations;
use klinik_domain::clinic::outcome::Outcome;
use klinik_domain::text::multi_line;
use klinik_persistence::clinic::cases as store;
use klinik_persistence::clinic::evaluations;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::dto::Case;
use super::load;
use crate::audit::AuditContext;
use crate::extract::{IfMatch, JsonBody};
use crate::problem::{ApiError, responses};
use crate::routes::with_etag;
use crate::state::AppState;

pub const REASON_MAX_CHARS: usize = 2000;

/// The outcome an admin sets, and why.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "membaik", "reason": "Laporan RAT 2017 ternyata belum disahkan."}))]
pub struct OutcomeOverride {
    pub outcome: Outcome,
    /// Required; kept with the outcome and in the audit trail.
    #[schema(
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub reason: String,
}

/// Override a closed case's outcome.
///
/// The computed outcome, its rule and evidence stay beside the override; the reason, who and when
/// are recorded and audited. Only a closed case has an outcome (409 otherwise).
#[utoipa::path(
    operation_id = "override_case_outcome",
    tag = "clinic",
    request_body = OutcomeOverride,
    params(
        ("id" = i64, Path, description = "The case's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the case has changed since."),
    ),
    responses(
        (status = 200, description = "The case with its overridden outcome.", body = Case,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 409, response = responses::Conflict),
        (status = 412, response = responses::PreconditionFailed),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[put("/cases/{id}/outcome")]
pub async fn override_case_outcome(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
    body: JsonBody<OutcomeOverride>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let input = body.value;
    multi_line("reason", &input.reason, REASON_MAX_CHARS).map_err(Violations::from)?;
    let state2 = state.clone();
    let record = state
        .write(move |conn| {
            let case = store::find(conn, id).map_err(ApiError::missing("Case"))?;
            if_match.check(case.version)?;
            let before = evaluations::outcomes_of(conn, &[id])?
                .pop()
                .ok_or_else(|| {
                    ApiError::conflict(
                        "status",
                        "case_not_closed",
                        &format!(
                            "The case is {}; only a closed case has an outcome.",
                            case.status
                        ),
                    )
                })?;
            let by = audit.actor_name.clone().unwrap_or_default();
            evaluations::override_outcome(conn, id, input.outcome.as_str(), &input.reason, &by)?;
            // The case's version moves so that its ETag changes with its outcome.
            store::set_status(conn, id, case.version, &case.status)?;
            audit.record(
                conn,
                "override_outcome",
                "case",
                Some(id.to_string()),
                Some(
                    json!({"outcome": {"before": before.outcome, "after": input.outcome},
                    "computed_outcome": before.computed_outcome, "reason": input.reason}),
                ),
            )?;
            let row = store::find(conn, id)?;
            load(conn, &state2.regions, row)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}
