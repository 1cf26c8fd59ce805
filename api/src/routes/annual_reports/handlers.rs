//! File, list, read, correct and delete annual reports; each change recomputes the cooperative's
//! activity status in the same transaction.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use klinik_persistence::annual_reports as store;
use klinik_persistence::cooperatives as cooperative_store;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{AnnualReport, CreateAnnualReport, PatchAnnualReport, validate};
use crate::audit::{AuditContext, diff};
use crate::extract::{IdempotencyKey, IfMatch, JsonBody, QueryParams, etag};
use crate::problem::{ApiError, responses};
use crate::routes::cooperatives;
use crate::routes::created::{Created, create_once};
use crate::routes::{Page, PageRequest, with_etag};
use crate::state::AppState;

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// File a cooperative's annual report for one book year.
///
/// One report per book year (a second is a 409). The cooperative's activity status is recomputed.
#[utoipa::path(
    operation_id = "create_annual_report",
    tag = "annual reports",
    request_body = CreateAnnualReport,
    params(
        ("id" = i64, Path, description = "The cooperative's id.", minimum = 1),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry: a retry with the same key and byte-identical body returns the first response; the same key with another body is a 422.", pattern = "^[!-~]{1,255}$"),
    ),
    responses(
        (status = 201, description = "Filed.", body = AnnualReport,
            headers(("Location" = String, description = "URL of the report."), ("ETag" = String, description = "Its version."))),
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
#[post("/cooperatives/{id}/annual-reports")]
pub async fn create_annual_report(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
    key: IdempotencyKey,
    audit: AuditContext,
    body: JsonBody<CreateAnnualReport>,
) -> Result<HttpResponse, ApiError> {
    let cooperative_id = id.into_inner();
    let fields = body.value.into();
    validate(&fields, today())?;
    let scope = format!("POST {}", request.path());
    let rule = state.activity_rule;
    let (created, replayed) = state
        .write(move |conn| {
            create_once(conn, &scope, key.0.as_deref(), &body.raw, |conn| {
                let cooperative =
                    cooperative_store::find(conn, cooperative_id, false).map_err(ApiError::missing("Cooperative"))?;
                let row = store::insert(conn, cooperative_id, &fields).map_err(|e| {
                    if e.duplicate_of("book_year") {
                        ApiError::conflict(
                            "book_year",
                            "duplicate_book_year",
                            "This cooperative already has a report for this book year; change it with PATCH.",
                        )
                    } else {
                        ApiError::from(e)
                    }
                })?;
                cooperatives::refresh_status(conn, rule, &cooperative)?;
                let report = AnnualReport::from(row.clone());
                audit.record(conn, "create", "annual_report", Some(row.id.to_string()), Some(diff::<AnnualReport, AnnualReport>(None, Some(&report), &[])))?;
                let location =
                    format!("/api/v1/cooperatives/{cooperative_id}/annual-reports/{}", row.book_year);
                let version = row.version;
                Created::new(&AnnualReport::from(row), location, etag(version))
            })
        })
        .await?;
    Ok(created.into_response(replayed))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportListQuery {
    /// Also list the reports of an archived cooperative.
    pub include_archived: Option<bool>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// List a cooperative's annual reports.
///
/// Newest book year first. The reports of an archived cooperative appear only with
/// `include_archived=true`.
#[utoipa::path(
    operation_id = "list_annual_reports",
    tag = "annual reports",
    params(("id" = i64, Path, description = "The cooperative's id.", minimum = 1), ReportListQuery),
    responses(
        (status = 200, description = "One page of reports.", body = Page<AnnualReport>),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/cooperatives/{id}/annual-reports")]
pub async fn list_annual_reports(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: QueryParams<ReportListQuery>,
) -> Result<HttpResponse, ApiError> {
    let cooperative_id = id.into_inner();
    let query = query.0;
    let page = PageRequest::new(query.page, query.page_size)?;
    let include_archived = query.include_archived.unwrap_or(false);
    let (rows, total) = state
        .read(move |conn| {
            cooperative_store::find(conn, cooperative_id, include_archived)
                .map_err(ApiError::missing("Cooperative"))?;
            Ok(store::list(
                conn,
                cooperative_id,
                page.limit(),
                page.offset(),
            )?)
        })
        .await?;
    let items = rows.into_iter().map(AnnualReport::from).collect();
    Ok(HttpResponse::Ok().json(page.wrap(items, total)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportReadQuery {
    /// Also find the report of an archived cooperative.
    pub include_archived: Option<bool>,
}

/// Read the annual report of one book year.
///
/// The `ETag` is the report's version, for `If-Match` on a later PATCH or DELETE.
#[utoipa::path(
    operation_id = "get_annual_report",
    tag = "annual reports",
    params(
        ("id" = i64, Path, description = "The cooperative's id.", minimum = 1),
        ("book_year" = i32, Path, description = "The book year.", minimum = 1945, maximum = 9999),
        ReportReadQuery,
    ),
    responses(
        (status = 200, description = "The report.", body = AnnualReport,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/cooperatives/{id}/annual-reports/{book_year}")]
pub async fn get_annual_report(
    state: web::Data<AppState>,
    path: web::Path<(i64, i32)>,
    query: QueryParams<ReportReadQuery>,
) -> Result<HttpResponse, ApiError> {
    let (cooperative_id, book_year) = path.into_inner();
    let include_archived = query.0.include_archived.unwrap_or(false);
    let row = state
        .read(move |conn| {
            cooperative_store::find(conn, cooperative_id, include_archived)
                .map_err(ApiError::missing("Cooperative"))?;
            store::find(conn, cooperative_id, book_year).map_err(ApiError::missing("Annual report"))
        })
        .await?;
    Ok(with_etag(
        StatusCode::OK,
        row.version,
        &AnnualReport::from(row),
    ))
}

/// Correct an annual report.
///
/// Partial update; the result must satisfy every rule as a whole. The cooperative's activity
/// status is recomputed.
#[utoipa::path(
    operation_id = "update_annual_report",
    tag = "annual reports",
    request_body = PatchAnnualReport,
    params(
        ("id" = i64, Path, description = "The cooperative's id.", minimum = 1),
        ("book_year" = i32, Path, description = "The book year.", minimum = 1945, maximum = 9999),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the report has changed since."),
    ),
    responses(
        (status = 200, description = "The corrected report.", body = AnnualReport,
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
#[patch("/cooperatives/{id}/annual-reports/{book_year}")]
pub async fn update_annual_report(
    state: web::Data<AppState>,
    path: web::Path<(i64, i32)>,
    if_match: IfMatch,
    audit: AuditContext,
    body: JsonBody<PatchAnnualReport>,
) -> Result<HttpResponse, ApiError> {
    let (cooperative_id, book_year) = path.into_inner();
    let patch = body.value;
    let rule = state.activity_rule;
    let row = state
        .write(move |conn| {
            let cooperative = cooperative_store::find(conn, cooperative_id, false)
                .map_err(ApiError::missing("Cooperative"))?;
            let current = store::find(conn, cooperative_id, book_year)
                .map_err(ApiError::missing("Annual report"))?;
            let fields = patch.apply(&current);
            validate(&fields, today())?;
            if_match.check(current.version)?;
            let row = store::update(conn, current.id, current.version, &fields)?;
            cooperatives::refresh_status(conn, rule, &cooperative)?;
            let (before, after) = (AnnualReport::from(current), AnnualReport::from(row.clone()));
            audit.record(
                conn,
                "update",
                "annual_report",
                Some(row.id.to_string()),
                Some(diff(Some(&before), Some(&after), &[])),
            )?;
            Ok(row)
        })
        .await?;
    Ok(with_etag(
        StatusCode::OK,
        row.version,
        &AnnualReport::from(row),
    ))
}

/// Delete an annual report entered by mistake.
///
/// The book year can then be filed again. The cooperative's activity status is recomputed.
#[utoipa::path(
    operation_id = "delete_annual_report",
    tag = "annual reports",
    params(
        ("id" = i64, Path, description = "The cooperative's id.", minimum = 1),
        ("book_year" = i32, Path, description = "The book year.", minimum = 1945, maximum = 9999),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the report has changed since."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, response = responses::NotFound),
        (status = 412, response = responses::PreconditionFailed),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[delete("/cooperatives/{id}/annual-reports/{book_year}")]
pub async fn delete_annual_report(
    state: web::Data<AppState>,
    path: web::Path<(i64, i32)>,
    if_match: IfMatch,
    audit: AuditContext,
) -> Result<HttpResponse, ApiError> {
    let (cooperative_id, book_year) = path.into_inner();
    let rule = state.activity_rule;
    state
        .write(move |conn| {
            let cooperative = cooperative_store::find(conn, cooperative_id, false)
                .map_err(ApiError::missing("Cooperative"))?;
            let current = store::find(conn, cooperative_id, book_year)
                .map_err(ApiError::missing("Annual report"))?;
            if_match.check(current.version)?;
            store::delete(conn, current.id, current.version)?;
            cooperatives::refresh_status(conn, rule, &cooperative)?;
            let before = AnnualReport::from(current);
            audit.record(
                conn,
                "delete",
                "annual_report",
                Some(before.id.to_string()),
                Some(diff::<AnnualReport, AnnualReport>(Some(&before), None, &[])),
            )?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
