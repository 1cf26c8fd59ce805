//! Mentoring activities: `/api/v1/cases/{id}/activities` and `/api/v1/activities/{id}`.

mod dto;

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::Utc;
use klinik_domain::clinic::case::CaseStatus;
use klinik_persistence::AnyConnection;
use klinik_persistence::clinic::activities::{self as store, ActivityRow};
use klinik_persistence::clinic::cases::CaseRow;
use klinik_persistence::clinic::{experts, recommendations};
use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::{Activity, ActivityExpert, CreateActivity, PatchActivity};

use super::paging;
use crate::audit::{AuditContext, diff};
use crate::auth::Caller;
use crate::extract::{IdempotencyKey, IfMatch, JsonBody, QueryParams, etag};
use crate::problem::{ApiError, responses};
use crate::routes::clinic::cases::access::{CaseScope, visible_case};
use crate::routes::created::{Created, create_once};
use crate::routes::regions::PageQuery;
use crate::routes::{Page, PageRequest, with_etag};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_activity)
        .service(list_case_activities)
        .service(get_activity)
        .service(update_activity);
}

fn load_rows(conn: &mut AnyConnection, rows: Vec<ActivityRow>) -> Result<Vec<Activity>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let links = store::experts_of(conn, &ids)?;
    let people: Vec<i64> = links.iter().map(|(_, e)| *e).collect();
    let names: HashMap<i64, String> = experts::names(conn, &people)?
        .into_iter()
        .map(|(id, name, _)| (id, name))
        .collect();
    rows.into_iter()
        .map(|row| {
            let experts = links
                .iter()
                .filter(|(a, _)| *a == row.id)
                .map(|(_, e)| ActivityExpert {
                    expert_id: *e,
                    full_name: names.get(e).cloned().unwrap_or_default(),
                })
                .collect();
            Activity::from_row(row, experts)
        })
        .collect()
}

fn load(conn: &mut AnyConnection, id: i64) -> Result<Activity, ApiError> {
    let row = store::find(conn, id).map_err(ApiError::missing("Activity"))?;
    load_rows(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::not_found("Activity"))
}

/// The activity and its case, if the caller may see them (404 otherwise).
fn in_scope(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
) -> Result<(ActivityRow, CaseRow), ApiError> {
    let row = store::find(conn, id).map_err(ApiError::missing("Activity"))?;
    let scope = CaseScope::of(conn, caller)?;
    let case = visible_case(conn, &scope, row.case_id).map_err(|e| match e {
        ApiError::NotFound { .. } => ApiError::not_found("Activity"),
        other => other,
    })?;
    Ok((row, case))
}

/// Activities are recorded while the case is mentored or evaluated.
fn require_mentoring(case: &CaseRow) -> Result<(), ApiError> {
    let mentored = [
        CaseStatus::Mentoring.as_str(),
        CaseStatus::Evaluating.as_str(),
    ];
    if !mentored.contains(&case.status.as_str()) {
        return Err(ApiError::conflict(
            "case_id",
            "case_not_mentoring",
            &format!(
                "The case is {}; activities are recorded while it is mentored or evaluated.",
                case.status
            ),
        ));
    }
    Ok(())
}

/// The experts must exist and the recommendation be one of the case's (422).
fn check_references(
    conn: &mut AnyConnection,
    case_id: i64,
    draft: &dto::Draft,
) -> Result<(), ApiError> {
    let found = experts::existing_ids(conn, &draft.expert_ids)?;
    if let Some(i) = draft.expert_ids.iter().position(|id| !found.contains(id)) {
        return Err(ApiError::validation(
            &format!("expert_ids[{i}]"),
            "unknown_expert",
            "is not an expert (or it is archived)",
        ));
    }
    if let Some(id) = draft.fields.recommendation_id {
        let theirs = recommendations::find(conn, id)
            .ok()
            .is_some_and(|r| r.case_id == case_id);
        if !theirs {
            return Err(ApiError::validation(
                "recommendation_id",
                "recommendation_not_in_case",
                "is not a recommendation of this case",
            ));
        }
    }
    Ok(())
}

/// Record a mentoring activity.
///
/// A visit, training, consultation, financing or licensing facilitation, or business meeting,
/// while the case is mentored or evaluated (409 otherwise); by office staff or the case's team.
/// The notes may describe people: they are never logged, and the audit trail records only that
/// they changed.
#[utoipa::path(
    operation_id = "create_activity",
    tag = "clinic",
    request_body = CreateActivity,
    params(
        ("id" = i64, Path, description = "The case's id.", minimum = 1),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see `create_cooperative`).", pattern = "^[!-~]{1,255}$"),
    ),
    responses(
        (status = 201, description = "Recorded.", body = Activity,
            headers(("Location" = String, description = "URL of the activity."), ("ETag" = String, description = "Its version."))),
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
#[post("/cases/{id}/activities")]
pub async fn create_activity(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: Caller,
    id: web::Path<i64>,
    key: IdempotencyKey,
    audit: AuditContext,
    body: JsonBody<CreateActivity>,
) -> Result<HttpResponse, ApiError> {
    let case_id = id.into_inner();
    let JsonBody { value, raw } = body;
    let draft = value.into_draft();
    dto::check(&draft, Utc::now().date_naive())?;
    let scope_key = format!("POST {}", request.path());
    let (created, replayed) = state
        .write(move |conn| {
            create_once(conn, &scope_key, key.0.as_deref(), &raw, |conn| {
                let scope = CaseScope::of(conn, &caller)?;
                let case = visible_case(conn, &scope, case_id)?;
                require_mentoring(&case)?;
                check_references(conn, case_id, &draft)?;
                let row = store::insert(conn, case_id, &draft.fields)?;
                store::replace_experts(conn, row.id, &draft.expert_ids)?;
                let record = load(conn, row.id)?;
                audit.record(
                    conn,
                    "create",
                    "activity",
                    Some(record.id.to_string()),
                    None,
                )?;
                Created::new(
                    &record,
                    format!("/api/v1/activities/{}", record.id),
                    etag(record.version),
                )
            })
        })
        .await?;
    Ok(created.into_response(replayed))
}

/// List a case's mentoring activities, latest first.
#[utoipa::path(
    operation_id = "list_case_activities",
    tag = "clinic",
    params(("id" = i64, Path, description = "The case's id.", minimum = 1), PageQuery),
    responses(
        (status = 200, description = "One page of activities.", body = Page<Activity>),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/cases/{id}/activities")]
pub async fn list_case_activities(
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
            let (rows, total) = store::of_case(conn, case_id, paging(&page))?;
            Ok((load_rows(conn, rows)?, total))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page.wrap_capped(items, total)))
}

/// Read a mentoring activity.
#[utoipa::path(
    operation_id = "get_activity",
    tag = "clinic",
    params(("id" = i64, Path, description = "The activity's id.", minimum = 1)),
    responses(
        (status = 200, description = "The activity.", body = Activity,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/activities/{id}")]
pub async fn get_activity(
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

/// Change a mentoring activity.
///
/// While the case is mentored or evaluated (409 otherwise). Absent fields stay; `null` clears
/// `notes` or `recommendation_id`; `expert_ids` replaces the list. Send the `ETag` you read as
/// `If-Match` (412 if it changed since).
#[utoipa::path(
    operation_id = "update_activity",
    tag = "clinic",
    request_body = PatchActivity,
    params(
        ("id" = i64, Path, description = "The activity's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The changed activity.", body = Activity,
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
#[patch("/activities/{id}")]
pub async fn update_activity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
    body: JsonBody<PatchActivity>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.value;
    let record = state
        .write(move |conn| {
            let (row, case) = in_scope(conn, &caller, id)?;
            let experts = store::experts_of(conn, &[id])?
                .into_iter()
                .map(|(_, e)| e)
                .collect();
            let draft = patch.merge(&row, experts)?;
            dto::check(&draft, Utc::now().date_naive())?;
            if_match.check(row.version)?;
            require_mentoring(&case)?;
            check_references(conn, row.case_id, &draft)?;
            let before = load(conn, id)?;
            store::update(conn, id, row.version, &draft.fields)?;
            store::replace_experts(conn, id, &draft.expert_ids)?;
            let after = load(conn, id)?;
            audit.record(
                conn,
                "update",
                "activity",
                Some(id.to_string()),
                Some(diff(Some(&before), Some(&after), &["notes"])),
            )?;
            Ok(after)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}
