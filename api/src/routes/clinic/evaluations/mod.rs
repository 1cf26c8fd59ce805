//! Evaluations (monitoring and evaluation): `/api/v1/cases/{id}/evaluations` and
//! `/api/v1/evaluations/{id}`.

pub mod subject;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use klinik_domain::Violations;
use klinik_domain::clinic::case::{CaseStatus, EvaluationNextStep};
use klinik_domain::clinic::evaluation::Indicator;
use klinik_domain::clinic::outcome::Conclusion;
use klinik_domain::text::multi_line;
use klinik_persistence::AnyConnection;
use klinik_persistence::clinic::evaluations::{self as store, EvaluationRow, NewEvaluation};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::audit::AuditContext;
use crate::auth::Caller;
use crate::extract::{IdempotencyKey, JsonBody, QueryParams, etag};
use crate::problem::{ApiError, responses};
use crate::routes::clinic::cases::access::{CaseScope, visible_case};
use crate::routes::cooperatives::dto::utc;
use crate::routes::created::{Created, create_once};
use crate::routes::regions::PageQuery;
use crate::routes::{Page, PageRequest, with_etag};
use crate::state::AppState;

pub const NOTES_MAX_CHARS: usize = 4000;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_evaluation)
        .service(list_case_evaluations)
        .service(get_evaluation);
}

/// The team's judgement; the indicators are read from the registries by the server.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"evaluated_on": "2018-06-30", "conclusion": "improved", "next_step": "close",
    "notes": "RAT 2017 terlaksana; SHU naik."}))]
pub struct CreateEvaluation {
    /// Defaults to today; never in the future.
    pub evaluated_on: Option<NaiveDate>,
    pub conclusion: Conclusion,
    pub next_step: EvaluationNextStep,
    /// Up to 4000 characters; never logged nor audited.
    #[schema(
        max_length = 4000,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub notes: Option<String>,
}

/// An evaluation: the indicators at the case's baseline and when it was recorded, and the team's
/// conclusion and proposed next step. It never changes; a later evaluation supersedes it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 2, "case_id": 1, "evaluated_on": "2018-06-30",
    "indicators": [{"indicator": "rat_held", "baseline": false, "baseline_year": 2016, "current": true, "current_year": 2017},
        {"indicator": "shu", "baseline": 12000000, "baseline_year": 2016, "current": 15500000, "current_year": 2017},
        {"indicator": "predicate", "baseline": "dalam_pengawasan", "baseline_year": null, "current": "cukup_sehat", "current_year": null}],
    "conclusion": "improved", "next_step": "close", "notes": "RAT 2017 terlaksana; SHU naik.",
    "recorded_by": "olga", "version": 1, "created_at": "2026-11-29T10:00:00Z"}))]
pub struct Evaluation {
    pub id: i64,
    pub case_id: i64,
    pub evaluated_on: NaiveDate,
    /// Cooperatives: `rat_held`, `shu`, `members` (from annual reports; the baseline is the last
    /// book year before the case was registered, the current the latest on record) and
    /// `predicate` (first and latest final health assessments). UKM: `turnover`, `workers`,
    /// `size_class` (from yearly figures, likewise).
    pub indicators: Vec<Indicator>,
    pub conclusion: Conclusion,
    pub next_step: EvaluationNextStep,
    pub notes: Option<String>,
    /// Who recorded it.
    pub recorded_by: Option<String>,
    /// Always 1: an evaluation never changes.
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

impl Evaluation {
    fn from_row(row: EvaluationRow) -> Result<Self, ApiError> {
        let stored = |_| ApiError::internal(&"stored evaluation");
        Ok(Evaluation {
            id: row.id,
            case_id: row.case_id,
            evaluated_on: row.evaluated_on,
            indicators: serde_json::from_str(&row.indicators)
                .map_err(|e| ApiError::internal(&e))?,
            conclusion: row.conclusion.parse().map_err(stored)?,
            next_step: row.next_step.parse().map_err(stored)?,
            notes: row.notes,
            recorded_by: row.recorded_by,
            version: 1,
            created_at: utc(row.created_at),
        })
    }
}

fn in_scope(conn: &mut AnyConnection, caller: &Caller, id: i64) -> Result<EvaluationRow, ApiError> {
    let row = store::find(conn, id).map_err(ApiError::missing("Evaluation"))?;
    let scope = CaseScope::of(conn, caller)?;
    visible_case(conn, &scope, row.case_id).map_err(|e| match e {
        ApiError::NotFound { .. } => ApiError::not_found("Evaluation"),
        other => other,
    })?;
    Ok(row)
}

/// Record an evaluation.
///
/// While the case is `evaluating` (409 otherwise); by office staff or the case's team. The
/// server reads the indicators from the registries (annual reports, health assessments, yearly
/// figures), so correct those first. The proposed next step is what `continue_mentoring`,
/// `close` and `propose_dissolution` require; closing computes the outcome from this
/// evaluation's conclusion.
#[utoipa::path(
    operation_id = "create_evaluation",
    tag = "clinic",
    request_body = CreateEvaluation,
    params(
        ("id" = i64, Path, description = "The case's id.", minimum = 1),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see `create_cooperative`).", pattern = "^[!-~]{1,255}$"),
    ),
    responses(
        (status = 201, description = "Recorded.", body = Evaluation,
            headers(("Location" = String, description = "URL of the evaluation."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 409, response = responses::Conflict),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/cases/{id}/evaluations")]
pub async fn create_evaluation(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: Caller,
    id: web::Path<i64>,
    key: IdempotencyKey,
    audit: AuditContext,
    body: JsonBody<CreateEvaluation>,
) -> Result<HttpResponse, ApiError> {
    let case_id = id.into_inner();
    let JsonBody { value, raw } = body;
    let today = Utc::now().date_naive();
    let evaluated_on = value.evaluated_on.unwrap_or(today);
    let mut v = Violations::default();
    if evaluated_on > today {
        v.push(klinik_domain::Violation::new(
            "evaluated_on",
            "date_in_future",
            "must not be after today",
        ));
    }
    if let Some(notes) = &value.notes {
        v.check(multi_line("notes", notes, NOTES_MAX_CHARS));
    }
    v.into_result()?;
    let scope_key = format!("POST {}", request.path());
    let thresholds = state.size_thresholds.clone();
    let (created, replayed) = state
        .write(move |conn| {
            create_once(conn, &scope_key, key.0.as_deref(), &raw, |conn| {
                let scope = CaseScope::of(conn, &caller)?;
                let case = visible_case(conn, &scope, case_id)?;
                if case.status != CaseStatus::Evaluating.as_str() {
                    return Err(ApiError::conflict(
                        "case_id",
                        "case_not_evaluating",
                        &format!(
                            "The case is {}; evaluations are recorded while it is evaluating.",
                            case.status
                        ),
                    ));
                }
                let indicators = subject::indicators(conn, &thresholds, &case)?;
                let row = store::insert(
                    conn,
                    &NewEvaluation {
                        case_id,
                        evaluated_on,
                        indicators: serde_json::to_string(&indicators)
                            .map_err(|e| ApiError::internal(&e))?,
                        conclusion: value.conclusion.as_str().into(),
                        next_step: value.next_step.as_str().into(),
                        notes: value.notes.clone(),
                        recorded_by: audit.actor_name.clone(),
                    },
                )?;
                let record = Evaluation::from_row(row)?;
                audit.record(
                    conn,
                    "create",
                    "evaluation",
                    Some(record.id.to_string()),
                    Some(serde_json::json!({"conclusion": record.conclusion, "next_step": record.next_step})),
                )?;
                Created::new(
                    &record,
                    format!("/api/v1/evaluations/{}", record.id),
                    etag(record.version),
                )
            })
        })
        .await?;
    Ok(created.into_response(replayed))
}

/// List a case's evaluations, oldest first.
#[utoipa::path(
    operation_id = "list_case_evaluations",
    tag = "clinic",
    params(("id" = i64, Path, description = "The case's id.", minimum = 1), PageQuery),
    responses(
        (status = 200, description = "One page of evaluations.", body = Page<Evaluation>),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/cases/{id}/evaluations")]
pub async fn list_case_evaluations(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    query: QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let case_id = id.into_inner();
    let page = PageRequest::new(query.0.page, query.0.page_size)?;
    let (items, total) = state
        .read(move |conn| {
            let scope = CaseScope::of(conn, &caller)?;
            visible_case(conn, &scope, case_id)?;
            let (rows, total) = page.slice(store::of_case(conn, case_id)?);
            let items = rows
                .into_iter()
                .map(Evaluation::from_row)
                .collect::<Result<Vec<_>, _>>()?;
            Ok((items, total))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page.wrap_capped(items, total)))
}

/// Read an evaluation.
#[utoipa::path(
    operation_id = "get_evaluation",
    tag = "clinic",
    params(("id" = i64, Path, description = "The evaluation's id.", minimum = 1)),
    responses(
        (status = 200, description = "The evaluation.", body = Evaluation,
            headers(("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/evaluations/{id}")]
pub async fn get_evaluation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let record = state
        .read(move |conn| Evaluation::from_row(in_scope(conn, &caller, id)?))
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}
