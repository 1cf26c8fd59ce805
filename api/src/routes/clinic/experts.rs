//! Experts of the diagnosis teams: `/api/v1/experts`.

mod dto;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use klinik_domain::clinic::{ExpertRole, ProblemCategory};
use klinik_persistence::AnyConnection;
use klinik_persistence::clinic::experts::{self as store, ExpertFilter, ExpertRow};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::{CreateExpert, Expert, PatchExpert};

use super::{check_q, paging};
use crate::audit::{AuditContext, diff};
use crate::auth::Caller;
use crate::extract::{IdempotencyKey, IfMatch, JsonBody, QueryParams, etag};
use crate::problem::{ApiError, responses};
use crate::routes::cooperatives::IncludeArchivedQuery;
use crate::routes::created::{Created, create_once};
use crate::routes::ukm::handlers::handles_personal_data;
use crate::routes::{Page, PageRequest, with_etag};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_expert)
        .service(list_experts)
        .service(get_expert)
        .service(update_expert)
        .service(archive_expert);
}

/// Phone and e-mail are personal data: only in the audit trail's "changed" markers.
const PERSONAL: &[&str] = &["phone", "email"];

/// Experts as the API shows them, with their expertise and partner names, in one query each.
fn with_details(
    conn: &mut AnyConnection,
    rows: Vec<ExpertRow>,
    clear: bool,
) -> Result<Vec<Expert>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let expertise = store::expertise_of(conn, &ids)?;
    let partner_ids: Vec<i64> = rows.iter().filter_map(|r| r.partner_id).collect();
    let partners = klinik_persistence::clinic::partners::names(conn, &partner_ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let categories = expertise
                .iter()
                .filter(|(id, _)| *id == row.id)
                .filter_map(|(_, c)| c.parse::<ProblemCategory>().ok())
                .collect();
            let partner_name = partners
                .iter()
                .find(|(id, _)| Some(*id) == row.partner_id)
                .map(|(_, name)| name.clone());
            Expert::from_row(row, categories, partner_name, clear)
        })
        .collect())
}

fn load(
    conn: &mut AnyConnection,
    id: i64,
    include_archived: bool,
    clear: bool,
) -> Result<Expert, ApiError> {
    let row = store::find(conn, id, include_archived).map_err(ApiError::missing("Expert"))?;
    with_details(conn, vec![row], clear)?
        .pop()
        .ok_or_else(|| ApiError::not_found("Expert"))
}

fn duplicate_user(error: klinik_persistence::StoreError) -> ApiError {
    if error.duplicate_of("user_id") {
        ApiError::conflict(
            "user_id",
            "duplicate_user",
            "Another expert is already linked to this user account.",
        )
    } else {
        ApiError::from(error)
    }
}

/// Register an expert.
///
/// An academic, practitioner, banker, cooperative-council member, office staff member or
/// consultant who can sit on diagnosis teams, mentor or speak. `user_id` links the account an
/// expert signs in with; it must have the `assessor` role. Phone and e-mail are personal data:
/// shown in clear to `admin` and `officer` only.
#[utoipa::path(
    operation_id = "create_expert",
    tag = "clinic",
    request_body = CreateExpert,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see `create_cooperative`).", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Registered.", body = Expert,
            headers(("Location" = String, description = "URL of the new expert."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/experts")]
pub async fn create_expert(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: Caller,
    key: IdempotencyKey,
    audit: AuditContext,
    body: JsonBody<CreateExpert>,
) -> Result<HttpResponse, ApiError> {
    let JsonBody { value, raw } = body;
    let (fields, expertise) = value.into_fields()?;
    let clear = handles_personal_data(&caller);
    let scope = format!("POST {}", request.path());
    let (created, replayed) = state
        .write(move |conn| {
            create_once(conn, &scope, key.0.as_deref(), &raw, |conn| {
                dto::check_references(conn, &fields)?;
                let row = store::insert(conn, &fields).map_err(duplicate_user)?;
                store::replace_expertise(conn, row.id, &expertise)?;
                let audited = load(conn, row.id, false, true)?;
                audit.record(
                    conn,
                    "create",
                    "expert",
                    Some(row.id.to_string()),
                    Some(diff::<Expert, Expert>(None, Some(&audited), PERSONAL)),
                )?;
                let record = load(conn, row.id, false, clear)?;
                Created::new(
                    &record,
                    format!("/api/v1/experts/{}", record.id),
                    etag(record.version),
                )
            })
        })
        .await?;
    Ok(created.into_response(replayed))
}

/// Filters of the expert list; they combine with AND. Unknown parameters are a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExpertQuery {
    /// Only this role.
    pub role: Option<ExpertRole>,
    /// Only experts from this partner institution.
    #[param(minimum = 1)]
    pub partner_id: Option<i64>,
    /// Only experts with this area of expertise.
    pub expertise: Option<ProblemCategory>,
    /// Only active (or inactive) experts.
    pub active: Option<bool>,
    /// Part of the name, case-insensitive; `%` and `_` match themselves.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Include archived experts.
    pub include_archived: Option<bool>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// List experts, by name.
#[utoipa::path(
    operation_id = "list_experts",
    tag = "clinic",
    params(ExpertQuery),
    responses(
        (status = 200, description = "One page of experts.", body = Page<Expert>),
        (status = 400, response = responses::BadRequest),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/experts")]
pub async fn list_experts(
    state: web::Data<AppState>,
    caller: Caller,
    query: QueryParams<ExpertQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let page = PageRequest::new(query.page, query.page_size)?;
    check_q(&query.q)?;
    super::check_ids(&[("partner_id", query.partner_id)])?;
    let filter = ExpertFilter {
        role: query.role.map(|r| r.as_str().to_owned()),
        partner_id: query.partner_id,
        expertise: query.expertise.map(|c| c.as_str().to_owned()),
        active: query.active,
        q: query.q,
        include_archived: query.include_archived.unwrap_or(false),
    };
    let clear = handles_personal_data(&caller);
    let (items, total) = state
        .read(move |conn| {
            let (rows, total) = store::list(conn, &filter, paging(&page))?;
            Ok((with_details(conn, rows, clear)?, total))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page.wrap_capped(items, total)))
}

/// Read an expert.
#[utoipa::path(
    operation_id = "get_expert",
    tag = "clinic",
    params(("id" = i64, Path, description = "The expert's id.", minimum = 1), IncludeArchivedQuery),
    responses(
        (status = 200, description = "The expert.", body = Expert,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/experts/{id}")]
pub async fn get_expert(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    query: QueryParams<IncludeArchivedQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let include_archived = query.0.include_archived.unwrap_or(false);
    let clear = handles_personal_data(&caller);
    let record = state
        .read(move |conn| load(conn, id, include_archived, clear))
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}

/// Change an expert.
///
/// Absent fields stay, `null` clears an optional one, `expertise` replaces the list. Send the
/// `ETag` you read as `If-Match` (412 if it changed since).
#[utoipa::path(
    operation_id = "update_expert",
    tag = "clinic",
    request_body = PatchExpert,
    params(
        ("id" = i64, Path, description = "The expert's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The changed expert.", body = Expert,
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
#[patch("/experts/{id}")]
pub async fn update_expert(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
    body: JsonBody<PatchExpert>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.value;
    let clear = handles_personal_data(&caller);
    let record = state
        .write(move |conn| {
            let current = store::find(conn, id, false).map_err(ApiError::missing("Expert"))?;
            let (fields, expertise) = patch.merge(&current)?;
            if_match.check(current.version)?;
            dto::check_references(conn, &fields)?;
            let before = load(conn, id, false, true)?;
            store::update(conn, id, current.version, &fields).map_err(duplicate_user)?;
            if let Some(expertise) = expertise {
                store::replace_expertise(conn, id, &expertise)?;
            }
            let after = load(conn, id, false, true)?;
            audit.record(
                conn,
                "update",
                "expert",
                Some(id.to_string()),
                Some(diff(Some(&before), Some(&after), PERSONAL)),
            )?;
            load(conn, id, false, clear)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}

/// Archive an expert.
///
/// Kept for the record (teams and sessions still name them), made inactive, and gone from lists
/// and reads unless `include_archived=true`. Archiving twice is a 404.
#[utoipa::path(
    operation_id = "archive_expert",
    tag = "clinic",
    params(
        ("id" = i64, Path, description = "The expert's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 204, description = "Archived."),
        (status = 404, response = responses::NotFound),
        (status = 412, response = responses::PreconditionFailed),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[delete("/experts/{id}")]
pub async fn archive_expert(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .write(move |conn| {
            let current = store::find(conn, id, false).map_err(ApiError::missing("Expert"))?;
            if_match.check(current.version)?;
            store::archive(conn, id, current.version)?;
            audit.record(conn, "archive", "expert", Some(id.to_string()), None)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
