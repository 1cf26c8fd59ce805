//! Annual reports of a cooperative: `/api/v1/cooperatives/{id}/annual-reports`.

use klinik_app::registry::annual_reports::{
    self as reports, ReportListQuery, ReportReadQuery,
    model::{AnnualReport, CreateAnnualReport, PatchAnnualReport},
};

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_annual_report)
        .service(list_annual_reports)
        .service(get_annual_report)
        .service(update_annual_report)
        .service(delete_annual_report);
}

/// File a cooperative's annual report for one book year.
///
/// One report per book year (a second is a 409). The cooperative's activity status is recomputed.
#[utoipa::path(
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
        (status = 409, response = responses::Conflict),
    ),
)]
#[post("/cooperatives/{id}/annual-reports")]
pub async fn create_annual_report(
    allowed: Allowed,
    id: web::Path<CooperativeId>,
    body: CreateBody<CreateAnnualReport>,
) -> Reply {
    created(reports::create(&allowed, *id, body.idempotency, body.value).await?)
}

/// List a cooperative's annual reports.
///
/// Newest book year first. The reports of an archived cooperative appear only with
/// `include_archived=true`.
#[utoipa::path(
    tag = "annual reports",
    params(("id" = i64, Path, description = "The cooperative's id.", minimum = 1), ReportListQuery),
    responses(
        (status = 200, description = "One page of reports.", body = Page<AnnualReport>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/cooperatives/{id}/annual-reports")]
pub async fn list_annual_reports(
    allowed: Allowed,
    id: web::Path<CooperativeId>,
    query: QueryParams<ReportListQuery>,
) -> Reply {
    ok(reports::list(&allowed, *id, query.0).await?)
}

/// Read the annual report of one book year.
///
/// The `ETag` is the report's version, for `If-Match` on a later PATCH or DELETE.
#[utoipa::path(
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
    ),
)]
#[get("/cooperatives/{id}/annual-reports/{book_year}")]
pub async fn get_annual_report(
    allowed: Allowed,
    path: web::Path<(CooperativeId, i32)>,
    query: QueryParams<ReportReadQuery>,
) -> Reply {
    tagged(reports::get(&allowed, *path, query.0).await?)
}

/// Correct an annual report.
///
/// Partial update; the result must satisfy every rule as a whole. The cooperative's activity
/// status is recomputed.
#[utoipa::path(
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
    ),
)]
#[patch("/cooperatives/{id}/annual-reports/{book_year}")]
pub async fn update_annual_report(
    allowed: Allowed,
    path: web::Path<(CooperativeId, i32)>,
    if_match: Precondition,
    body: JsonBody<PatchAnnualReport>,
) -> Reply {
    tagged(reports::update(&allowed, *path, if_match.0, body.value).await?)
}

/// Delete an annual report entered by mistake.
///
/// The book year can then be filed again. The cooperative's activity status is recomputed. A
/// report that still has documents is refused (409 `has_documents`): an admin purges them first.
#[utoipa::path(
    tag = "annual reports",
    params(
        ("id" = i64, Path, description = "The cooperative's id.", minimum = 1),
        ("book_year" = i32, Path, description = "The book year.", minimum = 1945, maximum = 9999),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the report has changed since."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 409, response = responses::Conflict),
    ),
)]
#[delete("/cooperatives/{id}/annual-reports/{book_year}")]
pub async fn delete_annual_report(
    allowed: Allowed,
    path: web::Path<(CooperativeId, i32)>,
    if_match: Precondition,
) -> Reply {
    reports::delete(&allowed, *path, if_match.0).await?;
    no_content()
}
