//! Programmes, the clinic's yearly cohorts: `/api/v1/programmes`.

mod dto;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use klinik_persistence::AnyConnection;
use klinik_persistence::clinic::partners;
use klinik_persistence::clinic::programmes::{self as store, ProgrammeFilter, ProgrammeRow};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::{CreateProgramme, Funder, PatchProgramme, Programme};

use super::{check_q, paging};
use crate::audit::{AuditContext, diff};
use crate::extract::{IdempotencyKey, IfMatch, JsonBody, QueryParams, etag};
use crate::problem::{ApiError, responses};
use crate::routes::cooperatives::IncludeArchivedQuery;
use crate::routes::created::{Created, create_once};
use crate::routes::{Page, PageRequest, with_etag};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_programme)
        .service(list_programmes)
        .service(get_programme)
        .service(update_programme)
        .service(archive_programme);
}

/// Programmes as the API shows them, with their funders' names.
fn with_funders(
    conn: &mut AnyConnection,
    rows: Vec<ProgrammeRow>,
) -> Result<Vec<Programme>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let links = store::funders_of(conn, &ids)?;
    let partner_ids: Vec<i64> = links.iter().map(|(_, p)| *p).collect();
    let names = partners::names(conn, &partner_ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let funders = links
                .iter()
                .filter(|(programme, _)| *programme == row.id)
                .map(|(_, partner)| Funder {
                    id: *partner,
                    name: names
                        .iter()
                        .find(|(id, _)| id == partner)
                        .map(|(_, name)| name.clone())
                        .unwrap_or_default(),
                })
                .collect();
            Programme::from_row(row, funders)
        })
        .collect())
}

fn load(conn: &mut AnyConnection, id: i64, include_archived: bool) -> Result<Programme, ApiError> {
    let row = store::find(conn, id, include_archived).map_err(ApiError::missing("Programme"))?;
    with_funders(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::not_found("Programme"))
}

/// Open a programme.
///
/// A yearly cohort of the clinic ("Coaching Clinic 2017") with the article's targets: by default
/// 30 cooperatives helped and 10 of them good, followed over 5 to 7 years.
#[utoipa::path(
    operation_id = "create_programme",
    tag = "clinic",
    request_body = CreateProgramme,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see `create_cooperative`).", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Opened.", body = Programme,
            headers(("Location" = String, description = "URL of the new programme."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/programmes")]
pub async fn create_programme(
    state: web::Data<AppState>,
    request: HttpRequest,
    key: IdempotencyKey,
    audit: AuditContext,
    body: JsonBody<CreateProgramme>,
) -> Result<HttpResponse, ApiError> {
    let JsonBody { value, raw } = body;
    let (fields, funders) = value.into_fields()?;
    let scope = format!("POST {}", request.path());
    let (created, replayed) = state
        .write(move |conn| {
            create_once(conn, &scope, key.0.as_deref(), &raw, |conn| {
                dto::check_references(conn, &fields, Some(&funders))?;
                let row = store::insert(conn, &fields)?;
                store::replace_funders(conn, row.id, &funders)?;
                let record = load(conn, row.id, false)?;
                audit.record(
                    conn,
                    "create",
                    "programme",
                    Some(row.id.to_string()),
                    Some(diff::<Programme, Programme>(None, Some(&record), &[])),
                )?;
                Created::new(
                    &record,
                    format!("/api/v1/programmes/{}", record.id),
                    etag(record.version),
                )
            })
        })
        .await?;
    Ok(created.into_response(replayed))
}

/// Filters of the programme list; they combine with AND. Unknown parameters are a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeQuery {
    /// Only programmes of this year.
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// Part of the name, case-insensitive; `%` and `_` match themselves.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Include archived programmes.
    pub include_archived: Option<bool>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// List programmes, newest year first.
#[utoipa::path(
    operation_id = "list_programmes",
    tag = "clinic",
    params(ProgrammeQuery),
    responses(
        (status = 200, description = "One page of programmes.", body = Page<Programme>),
        (status = 400, response = responses::BadRequest),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/programmes")]
pub async fn list_programmes(
    state: web::Data<AppState>,
    query: QueryParams<ProgrammeQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let page = PageRequest::new(query.page, query.page_size)?;
    check_q(&query.q)?;
    if query.year.is_some_and(|y| !(2000..=2100).contains(&y)) {
        return Err(crate::extract::query_error(
            "year",
            "year_range",
            "must lie within 2000–2100",
        ));
    }
    let filter = ProgrammeFilter {
        year: query.year,
        q: query.q,
        include_archived: query.include_archived.unwrap_or(false),
    };
    let (items, total) = state
        .read(move |conn| {
            let (rows, total) = store::list(conn, &filter, paging(&page))?;
            Ok((with_funders(conn, rows)?, total))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page.wrap_capped(items, total)))
}

/// Read a programme.
#[utoipa::path(
    operation_id = "get_programme",
    tag = "clinic",
    params(("id" = i64, Path, description = "The programme's id.", minimum = 1), IncludeArchivedQuery),
    responses(
        (status = 200, description = "The programme.", body = Programme,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/programmes/{id}")]
pub async fn get_programme(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: QueryParams<IncludeArchivedQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let include_archived = query.0.include_archived.unwrap_or(false);
    let record = state
        .read(move |conn| load(conn, id, include_archived))
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}

/// Change a programme.
///
/// Absent fields stay, `null` clears an optional one, `funding_partner_ids` replaces the list;
/// the result is checked as a whole. Send the `ETag` you read as `If-Match` (412 if it changed).
#[utoipa::path(
    operation_id = "update_programme",
    tag = "clinic",
    request_body = PatchProgramme,
    params(
        ("id" = i64, Path, description = "The programme's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The changed programme.", body = Programme,
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
#[patch("/programmes/{id}")]
pub async fn update_programme(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
    body: JsonBody<PatchProgramme>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.value;
    let record = state
        .write(move |conn| {
            let current = store::find(conn, id, false).map_err(ApiError::missing("Programme"))?;
            let (fields, funders) = patch.merge(&current)?;
            if_match.check(current.version)?;
            dto::check_references(conn, &fields, funders.as_deref())?;
            let before = load(conn, id, false)?;
            store::update(conn, id, current.version, &fields)?;
            if let Some(funders) = funders {
                store::replace_funders(conn, id, &funders)?;
            }
            let after = load(conn, id, false)?;
            audit.record(
                conn,
                "update",
                "programme",
                Some(id.to_string()),
                Some(diff(Some(&before), Some(&after), &[])),
            )?;
            Ok(after)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}

/// Archive a programme.
///
/// Kept for the record but gone from lists and reads unless `include_archived=true`. Archiving
/// twice is a 404.
#[utoipa::path(
    operation_id = "archive_programme",
    tag = "clinic",
    params(
        ("id" = i64, Path, description = "The programme's id.", minimum = 1),
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
#[delete("/programmes/{id}")]
pub async fn archive_programme(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .write(move |conn| {
            let current = store::find(conn, id, false).map_err(ApiError::missing("Programme"))?;
            if_match.check(current.version)?;
            store::archive(conn, id, current.version)?;
            audit.record(conn, "archive", "programme", Some(id.to_string()), None)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
