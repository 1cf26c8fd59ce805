//! Yearly business figures of a UKM (turnover, workers, assets), to measure growth.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Datelike, Utc};
use klinik_domain::{Violation, Violations, annual_report};
use klinik_persistence::ukm::{self as store, YearlyFigures, YearlyFiguresRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{AuditContext, diff};
use crate::extract::{IdempotencyKey, JsonBody, etag};
use crate::problem::{ApiError, responses};
use crate::routes::cooperatives::dto::utc;
use crate::routes::created::{Created, create_once};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"year": 2025, "turnover": 240000000, "workers": 4, "assets": 60000000}))]
pub struct CreateYearlyFigures {
    /// From 1945 to the current year; one record per year.
    #[schema(minimum = 1945, maximum = 9999)]
    pub year: i32,
    /// Omzet, whole rupiah.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub turnover: Option<i64>,
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub workers: Option<i64>,
    /// Aset, whole rupiah.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub assets: Option<i64>,
}

/// One year's figures.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "ukm_id": 1, "year": 2025, "turnover": 240000000, "workers": 4, "assets": 60000000,
    "version": 1, "created_at": "2026-01-15T08:00:00Z", "updated_at": "2026-01-15T08:00:00Z"}))]
pub struct YearlyFiguresRecord {
    pub id: i64,
    pub ukm_id: i64,
    pub year: i32,
    pub turnover: Option<i64>,
    pub workers: Option<i64>,
    pub assets: Option<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<YearlyFiguresRow> for YearlyFiguresRecord {
    fn from(r: YearlyFiguresRow) -> Self {
        YearlyFiguresRecord {
            id: r.id,
            ukm_id: r.ukm_id,
            year: r.year,
            turnover: r.turnover,
            workers: r.workers,
            assets: r.assets,
            version: r.version,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
    }
}

/// Record a UKM's figures for one year.
///
/// One record per year (409 for a second).
#[utoipa::path(
    operation_id = "create_ukm_yearly_figures",
    tag = "ukm",
    request_body = CreateYearlyFigures,
    params(
        ("id" = i64, Path, description = "The UKM's id.", minimum = 1),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see create_cooperative).", pattern = "^[!-~]{1,255}$"),
    ),
    responses(
        (status = 201, description = "Recorded.", body = YearlyFiguresRecord,
            headers(("Location" = String, description = "URL of the UKM's figures."), ("ETag" = String, description = "Its version."))),
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
#[post("/ukm/{id}/yearly-figures")]
pub async fn create_ukm_yearly_figures(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
    key: IdempotencyKey,
    audit: AuditContext,
    body: JsonBody<CreateYearlyFigures>,
) -> Result<HttpResponse, ApiError> {
    let ukm_id = id.into_inner();
    check_figures(&body.value).into_result()?;
    let input = &body.value;
    let figures = YearlyFigures {
        year: input.year,
        turnover: input.turnover,
        workers: input.workers,
        assets: input.assets,
    };
    let scope = format!("POST {}", request.path());
    let (created, replayed) = state
        .write(move |conn| {
            create_once(conn, &scope, key.0.as_deref(), &body.raw, |conn| {
                store::find(conn, ukm_id, false).map_err(ApiError::missing("UKM"))?;
                let row = store::insert_figures(conn, ukm_id, &figures).map_err(|e| {
                    if e.duplicate_of("year") {
                        ApiError::conflict(
                            "year",
                            "duplicate_year",
                            "This UKM already has figures for this year.",
                        )
                    } else {
                        e.into()
                    }
                })?;
                let record = YearlyFiguresRecord::from(row);
                audit.record(
                    conn,
                    "create",
                    "ukm_yearly_figures",
                    Some(record.id.to_string()),
                    Some(diff::<YearlyFiguresRecord, YearlyFiguresRecord>(
                        None,
                        Some(&record),
                        &[],
                    )),
                )?;
                let version = record.version;
                Created::new(
                    &record,
                    format!("/api/v1/ukm/{ukm_id}/yearly-figures"),
                    etag(version),
                )
            })
        })
        .await?;
    Ok(created.into_response(replayed))
}

/// List a UKM's yearly figures, newest year first.
#[utoipa::path(
    operation_id = "list_ukm_yearly_figures",
    tag = "ukm",
    params(("id" = i64, Path, description = "The UKM's id.", minimum = 1)),
    responses(
        (status = 200, description = "Every year on record.", body = Vec<YearlyFiguresRecord>),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/ukm/{id}/yearly-figures")]
pub async fn list_ukm_yearly_figures(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let ukm_id = id.into_inner();
    let rows = state
        .read(move |conn| {
            store::find(conn, ukm_id, false).map_err(ApiError::missing("UKM"))?;
            Ok(store::list_figures(conn, ukm_id)?)
        })
        .await?;
    let records: Vec<YearlyFiguresRecord> =
        rows.into_iter().map(YearlyFiguresRecord::from).collect();
    Ok(HttpResponse::Ok().json(records))
}

/// The rules of one year's figures: the year from 1945 to this year, amounts and counts in range.
pub fn check_figures(input: &CreateYearlyFigures) -> Violations {
    let mut violations = Violations::default();
    violations.check(annual_report::book_year(
        "year",
        input.year,
        Utc::now().date_naive(),
    ));
    for (field, value) in [("turnover", input.turnover), ("assets", input.assets)] {
        if let Some(v) = value {
            violations.check(annual_report::rupiah(field, v, false));
        }
    }
    if let Some(w) = input.workers {
        violations.check(annual_report::count("workers", w));
    }
    if input.year > Utc::now().year() {
        violations.push(Violation::new(
            "year",
            "year_in_future",
            "must not be after the current year",
        ));
        violations.0.dedup_by(|a, b| a.field == b.field);
    }
    violations
}
