//! Make, read, change and move recommendations; report their capital.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::Utc;
use klinik_domain::clinic::recommendation::{
    FinancingScheme, RecommendationKind, RecommendationStatus,
};
use klinik_persistence::clinic::diagnoses;
use klinik_persistence::clinic::recommendations::{
    self as store, NewRecommendationTransition, RecommendationFilter,
};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use super::dto::{
    CapitalReport, CreateRecommendation, PatchRecommendation, Recommendation,
    RecommendationTransition, RecommendationTransitionRequest, check, check_note, check_report,
};
use super::{check_references, in_scope, load, load_rows, require_followed_up};
use crate::audit::{AuditContext, diff};
use crate::auth::Caller;
use crate::extract::{IdempotencyKey, IfMatch, JsonBody, QueryParams, etag};
use crate::problem::{ApiError, responses};
use crate::routes::clinic::cases::access::{CaseScope, forbidden, visible_case};
use crate::routes::clinic::{check_ids, paging};
use crate::routes::created::{Created, create_once};
use crate::routes::regions::PageQuery;
use crate::routes::{Page, PageRequest, with_etag};
use crate::state::AppState;

/// Make a recommendation.
///
/// On a final diagnosis that no later diagnosis amends (409 otherwise), while its case is between
/// diagnosis and end (409 otherwise); by office staff or a member of the case's team. The
/// findings must be this diagnosis's; `permodalan` states its capital (scheme, partner bank,
/// amount requested) and no other kind does. It starts `proposed`.
#[utoipa::path(
    operation_id = "create_recommendation",
    tag = "clinic",
    request_body = CreateRecommendation,
    params(
        ("id" = i64, Path, description = "The diagnosis's id.", minimum = 1),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see `create_cooperative`).", pattern = "^[!-~]{1,255}$"),
    ),
    responses(
        (status = 201, description = "The recommendation.", body = Recommendation,
            headers(("Location" = String, description = "URL of the recommendation."), ("ETag" = String, description = "Its version."))),
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
#[post("/diagnoses/{id}/recommendations")]
pub async fn create_recommendation(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: Caller,
    id: web::Path<i64>,
    key: IdempotencyKey,
    audit: AuditContext,
    body: JsonBody<CreateRecommendation>,
) -> Result<HttpResponse, ApiError> {
    let diagnosis_id = id.into_inner();
    let JsonBody { value, raw } = body;
    let draft = value.into_draft();
    check(&draft)?;
    let scope_key = format!("POST {}", request.path());
    let (created, replayed) = state
        .write(move |conn| {
            create_once(conn, &scope_key, key.0.as_deref(), &raw, |conn| {
                let diagnosis =
                    diagnoses::find(conn, diagnosis_id).map_err(ApiError::missing("Diagnosis"))?;
                let scope = CaseScope::of(conn, &caller)?;
                let case = visible_case(conn, &scope, diagnosis.case_id).map_err(|e| match e {
                    ApiError::NotFound { .. } => ApiError::not_found("Diagnosis"),
                    other => other,
                })?;
                if diagnosis.status != "final" {
                    return Err(ApiError::conflict(
                        "diagnosis_id",
                        "diagnosis_not_final",
                        "Recommendations answer a final diagnosis; finalize it first.",
                    ));
                }
                if !diagnoses::superseding(conn, &[diagnosis_id])?.is_empty() {
                    return Err(ApiError::conflict(
                        "diagnosis_id",
                        "diagnosis_superseded",
                        "A later diagnosis amends this one; recommend on the latest.",
                    ));
                }
                require_followed_up(&case)?;
                check_references(conn, diagnosis_id, &draft)?;
                let row = store::insert(conn, case.id, diagnosis_id, &draft.fields)?;
                store::replace_findings(conn, row.id, &draft.finding_ids)?;
                let record = load(conn, row.id)?;
                audit.record(
                    conn,
                    "create",
                    "recommendation",
                    Some(record.id.to_string()),
                    None,
                )?;
                Created::new(
                    &record,
                    format!("/api/v1/recommendations/{}", record.id),
                    etag(record.version),
                )
            })
        })
        .await?;
    Ok(created.into_response(replayed))
}

/// List a diagnosis's recommendations, in the order they were made.
#[utoipa::path(
    operation_id = "list_diagnosis_recommendations",
    tag = "clinic",
    params(("id" = i64, Path, description = "The diagnosis's id.", minimum = 1), PageQuery),
    responses(
        (status = 200, description = "One page of recommendations.", body = Page<Recommendation>),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/diagnoses/{id}/recommendations")]
pub async fn list_diagnosis_recommendations(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    query: QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let diagnosis_id = id.into_inner();
    let page = PageRequest::new(query.0.page, query.0.page_size)?;
    let (items, total) = state
        .read(move |conn| {
            let diagnosis =
                diagnoses::find(conn, diagnosis_id).map_err(ApiError::missing("Diagnosis"))?;
            let scope = CaseScope::of(conn, &caller)?;
            visible_case(conn, &scope, diagnosis.case_id).map_err(|e| match e {
                ApiError::NotFound { .. } => ApiError::not_found("Diagnosis"),
                other => other,
            })?;
            let filter = RecommendationFilter {
                diagnosis_id: Some(diagnosis_id),
                ..RecommendationFilter::default()
            };
            let (rows, total) = store::list(conn, &filter, paging(&page))?;
            Ok((load_rows(conn, rows)?, total))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page.wrap_capped(items, total)))
}

/// Filters of the recommendation list; they combine with AND. Unknown parameters are a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecommendationQuery {
    /// Only recommendations of this programme's cases.
    #[param(minimum = 1)]
    pub programme_id: Option<i64>,
    /// Only this case's.
    #[param(minimum = 1)]
    pub case_id: Option<i64>,
    /// Only recommendations of this kind.
    pub kind: Option<RecommendationKind>,
    /// Only recommendations in this status.
    pub status: Option<RecommendationStatus>,
    /// Only capital recommendations with this financing scheme.
    pub financing_scheme: Option<FinancingScheme>,
    /// Only capital recommendations with this partner bank.
    #[param(minimum = 1)]
    pub bank_partner_id: Option<i64>,
    /// Only those this expert is responsible for.
    #[param(minimum = 1)]
    pub responsible_expert_id: Option<i64>,
    /// Only those this partner institution is responsible for.
    #[param(minimum = 1)]
    pub responsible_partner_id: Option<i64>,
    /// Only those this user is responsible for.
    #[param(minimum = 1)]
    pub responsible_user_id: Option<i64>,
    /// `true`: only open ones whose due date has passed; `false`: all others.
    pub overdue: Option<bool>,
    /// Only those on diagnoses dated in this year (as the indicators count them).
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// List recommendations, in the order they were made.
///
/// Assessors see those of their own teams' cases only.
#[utoipa::path(
    operation_id = "list_recommendations",
    tag = "clinic",
    params(RecommendationQuery),
    responses(
        (status = 200, description = "One page of recommendations.", body = Page<Recommendation>),
        (status = 400, response = responses::BadRequest),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/recommendations")]
pub async fn list_recommendations(
    state: web::Data<AppState>,
    caller: Caller,
    query: QueryParams<RecommendationQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let page = PageRequest::new(q.page, q.page_size)?;
    check_ids(&[
        ("programme_id", q.programme_id),
        ("case_id", q.case_id),
        ("bank_partner_id", q.bank_partner_id),
        ("responsible_expert_id", q.responsible_expert_id),
        ("responsible_partner_id", q.responsible_partner_id),
        ("responsible_user_id", q.responsible_user_id),
    ])?;
    if q.year.is_some_and(|y| !(2000..=2100).contains(&y)) {
        return Err(crate::extract::query_error(
            "year",
            "year_range",
            "must lie within 2000–2100",
        ));
    }
    let mut filter = RecommendationFilter {
        programme_id: q.programme_id,
        case_id: q.case_id,
        diagnosis_id: None,
        kind: q.kind.map(|k| k.as_str().into()),
        status: q.status.map(|s| s.as_str().into()),
        financing_scheme: q.financing_scheme.map(|s| s.as_str().into()),
        bank_partner_id: q.bank_partner_id,
        responsible_expert_id: q.responsible_expert_id,
        responsible_partner_id: q.responsible_partner_id,
        responsible_user_id: q.responsible_user_id,
        overdue: q.overdue.map(|overdue| (overdue, Utc::now().date_naive())),
        team_of: None,
        year: q.year,
    };
    let (items, total) = state
        .read(move |conn| {
            filter.team_of = CaseScope::of(conn, &caller)?.team_filter();
            let (rows, total) = store::list(conn, &filter, paging(&page))?;
            Ok((load_rows(conn, rows)?, total))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page.wrap_capped(items, total)))
}

/// Read a recommendation.
#[utoipa::path(
    operation_id = "get_recommendation",
    tag = "clinic",
    params(("id" = i64, Path, description = "The recommendation's id.", minimum = 1)),
    responses(
        (status = 200, description = "The recommendation.", body = Recommendation,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/recommendations/{id}")]
pub async fn get_recommendation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let record = state
        .read(move |conn| {
            in_scope(conn, &caller, id)?;
            load(conn, id)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}

fn require_open(status: &str) -> Result<(), ApiError> {
    let open = status
        .parse::<RecommendationStatus>()
        .map_err(|_| ApiError::internal(&"stored recommendation status"))?
        .is_open();
    if !open {
        return Err(ApiError::conflict(
            "status",
            "recommendation_closed",
            &format!("The recommendation is {status}; only an open one changes."),
        ));
    }
    Ok(())
}

/// Change an open recommendation.
///
/// Its findings, description, who is responsible, due date, and (for `permodalan`) the scheme,
/// bank and amount requested. A done, not done, rejected or cancelled recommendation never
/// changes (409). Send the `ETag` you read as `If-Match` (412 if it changed since).
#[utoipa::path(
    operation_id = "update_recommendation",
    tag = "clinic",
    request_body = PatchRecommendation,
    params(
        ("id" = i64, Path, description = "The recommendation's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The changed recommendation.", body = Recommendation,
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
#[patch("/recommendations/{id}")]
pub async fn update_recommendation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
    body: JsonBody<PatchRecommendation>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.value;
    let record = state
        .write(move |conn| {
            let (row, case) = in_scope(conn, &caller, id)?;
            let findings = store::findings_of(conn, &[id])?
                .into_iter()
                .map(|(_, f)| f)
                .collect();
            let draft = patch.merge(&row, findings);
            check(&draft)?;
            if_match.check(row.version)?;
            require_open(&row.status)?;
            require_followed_up(&case)?;
            check_references(conn, row.diagnosis_id, &draft)?;
            let before = load(conn, id)?;
            store::update(conn, id, row.version, &draft.fields)?;
            store::replace_findings(conn, id, &draft.finding_ids)?;
            let after = load(conn, id)?;
            audit.record(
                conn,
                "update",
                "recommendation",
                Some(id.to_string()),
                Some(diff(Some(&before), Some(&after), &[])),
            )?;
            Ok(after)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}

/// Move a recommendation.
///
/// proposed → agreed → in_progress → done | not_done; proposed → rejected; any open status →
/// cancelled. Any other move is a 409 `transition_not_allowed`. Kept in its history (actor, time,
/// note) and audited; the note stays out of the audit trail. Office staff and the case's team.
#[utoipa::path(
    operation_id = "create_recommendation_transition",
    tag = "clinic",
    request_body = RecommendationTransitionRequest,
    params(
        ("id" = i64, Path, description = "The recommendation's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The recommendation in its new status.", body = Recommendation,
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
#[post("/recommendations/{id}/transitions")]
pub async fn create_recommendation_transition(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
    body: JsonBody<RecommendationTransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let request = body.value;
    check_note(request.note.as_deref())?;
    let record = state
        .write(move |conn| {
            let (row, case) = in_scope(conn, &caller, id)?;
            if_match.check(row.version)?;
            require_followed_up(&case)?;
            let from: RecommendationStatus = row
                .status
                .parse()
                .map_err(|_| ApiError::internal(&"stored recommendation status"))?;
            let to = request.status;
            if !from.may_become(to) {
                return Err(ApiError::conflict(
                    "status",
                    "transition_not_allowed",
                    &format!("A recommendation cannot move from {from} to {to}."),
                ));
            }
            store::set_status(conn, id, row.version, to.as_str())?;
            store::append_transition(
                conn,
                &NewRecommendationTransition {
                    recommendation_id: id,
                    from_status: from.as_str().into(),
                    to_status: to.as_str().into(),
                    note: request.note.clone(),
                    actor_type: audit.actor_type.into(),
                    actor_id: audit.actor_id,
                    actor_name: audit.actor_name.clone(),
                },
            )?;
            audit.record(
                conn,
                "transition",
                "recommendation",
                Some(id.to_string()),
                Some(json!({"from": from, "to": to})),
            )?;
            load(conn, id)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}

/// Read a recommendation's status history, oldest first.
#[utoipa::path(
    operation_id = "get_recommendation_history",
    tag = "clinic",
    params(("id" = i64, Path, description = "The recommendation's id.", minimum = 1), PageQuery),
    responses(
        (status = 200, description = "One page of status changes.", body = Page<RecommendationTransition>),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/recommendations/{id}/history")]
pub async fn get_recommendation_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    query: QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let page = PageRequest::new(query.0.page, query.0.page_size)?;
    let (items, total) = state
        .read(move |conn| {
            in_scope(conn, &caller, id)?;
            let (rows, total) = page.slice(store::transitions_of(conn, id)?);
            let items = rows
                .into_iter()
                .map(RecommendationTransition::from_row)
                .collect::<Result<Vec<_>, _>>()?;
            Ok((items, total))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page.wrap_capped(items, total)))
}

/// Report a capital recommendation's approval and disbursement.
///
/// The amount approved and disbursed, each with its date, replacing the previous report; whole
/// rupiah; nothing disbursed before or beyond the approval (422). Only for an agreed, in-progress
/// or done `permodalan` recommendation (409 otherwise). Office staff, or the partner bank's own
/// integration client (a client linked to that bank, with scope `capital:write`; another bank's
/// client is refused with 403).
#[utoipa::path(
    operation_id = "report_recommendation_capital",
    tag = "clinic",
    request_body = CapitalReport,
    params(
        ("id" = i64, Path, description = "The recommendation's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The recommendation with its capital.", body = Recommendation,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 403, response = responses::Forbidden),
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
#[put("/recommendations/{id}/capital")]
pub async fn report_recommendation_capital(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
    body: JsonBody<CapitalReport>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let report = body.value;
    check_report(&report)?;
    let record = state
        .write(move |conn| {
            let row = store::find(conn, id).map_err(ApiError::missing("Recommendation"))?;
            if let Caller::Client { id: client, .. } = &caller {
                let bank = klinik_persistence::clients::find(conn, *client)?.partner_id;
                if bank.is_none() || bank != row.bank_partner_id {
                    return Err(forbidden(
                        "An integration client reports capital only for its own bank's recommendations.",
                    ));
                }
            }
            if_match.check(row.version)?;
            if row.kind != RecommendationKind::Permodalan.as_str() {
                return Err(ApiError::conflict(
                    "kind",
                    "not_capital",
                    "Only a permodalan recommendation has capital to report.",
                ));
            }
            if !matches!(row.status.as_str(), "agreed" | "in_progress" | "done") {
                return Err(ApiError::conflict(
                    "status",
                    "recommendation_not_agreed",
                    &format!(
                        "The recommendation is {}; capital is reported once it is agreed.",
                        row.status
                    ),
                ));
            }
            let before = load(conn, id)?;
            let mut fields = super::dto::fields_of(&row);
            fields.amount_approved = report.amount_approved;
            fields.approved_on = report.approved_on;
            fields.amount_disbursed = report.amount_disbursed;
            fields.disbursed_on = report.disbursed_on;
            store::update(conn, id, row.version, &fields)?;
            let after = load(conn, id)?;
            audit.record(
                conn,
                "report_capital",
                "recommendation",
                Some(id.to_string()),
                Some(diff(Some(&before), Some(&after), &[])),
            )?;
            Ok(after)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}
