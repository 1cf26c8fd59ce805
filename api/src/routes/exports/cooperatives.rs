//! Cooperatives and their annual reports as spreadsheets.

use actix_web::{HttpResponse, get, web};
use klinik_domain::activity_status::ActivityStatus;
use klinik_domain::cooperative::{CooperativeForm, CooperativeType};
use klinik_persistence::{annual_reports, cooperatives};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{MAX_EXPORT_ROWS, check_year, file, too_many};
use crate::extract::QueryParams;
use crate::imports;
use crate::problem::{ApiError, responses};
use crate::region_codes::KelurahanCode;
use crate::routes::cooperatives::{CooperativeFilters, cooperative_filter};
use crate::routes::regions::KecamatanCode;
use crate::spreadsheet::Format;
use crate::state::AppState;

/// The cooperative list's filters (no paging: the export holds every match).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CooperativeExportQuery {
    /// Only cooperatives in this kecamatan.
    pub kecamatan_code: Option<KecamatanCode>,
    /// Only cooperatives in this kelurahan.
    #[param(value_type = Option<KelurahanCode>)]
    pub kelurahan_code: Option<String>,
    /// Only this type (jenis).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub cooperative_type: Option<CooperativeType>,
    /// Only this form (bentuk).
    pub form: Option<CooperativeForm>,
    /// Only this activity status (the one in force).
    pub status: Option<ActivityStatus>,
    /// Only those that run (or do not run) a savings-and-loan business.
    pub savings_and_loan: Option<bool>,
    /// Part of the name or registration number, case-insensitive.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Include archived cooperatives.
    pub include_archived: Option<bool>,
}

// The cooperative filters are repeated, not flattened: see `YearlyFiguresExportQuery`.
/// The cooperative export's filters and the book year of the reports.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AnnualReportExportQuery {
    /// Only the reports of this book year.
    #[param(minimum = 1945, maximum = 9999)]
    pub book_year: Option<i32>,
    /// Only cooperatives in this kecamatan.
    pub kecamatan_code: Option<KecamatanCode>,
    /// Only cooperatives in this kelurahan.
    #[param(value_type = Option<KelurahanCode>)]
    pub kelurahan_code: Option<String>,
    /// Only this type (jenis).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub cooperative_type: Option<CooperativeType>,
    /// Only this form (bentuk).
    pub form: Option<CooperativeForm>,
    /// Only this activity status (the one in force).
    pub status: Option<ActivityStatus>,
    /// Only those that run (or do not run) a savings-and-loan business.
    pub savings_and_loan: Option<bool>,
    /// Part of the name or registration number, case-insensitive.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Include archived cooperatives.
    pub include_archived: Option<bool>,
}

impl AnnualReportExportQuery {
    fn split(self) -> Result<(CooperativeExportQuery, Option<i32>), ApiError> {
        check_year("book_year", self.book_year)?;
        let cooperatives = CooperativeExportQuery {
            kecamatan_code: self.kecamatan_code,
            kelurahan_code: self.kelurahan_code,
            cooperative_type: self.cooperative_type,
            form: self.form,
            status: self.status,
            savings_and_loan: self.savings_and_loan,
            q: self.q,
            include_archived: self.include_archived,
        };
        Ok((cooperatives, self.book_year))
    }
}

impl CooperativeExportQuery {
    fn filter(self, state: &AppState) -> Result<cooperatives::ListFilter, ApiError> {
        cooperative_filter(
            state,
            CooperativeFilters {
                kecamatan_code: self.kecamatan_code,
                kelurahan_code: self.kelurahan_code,
                cooperative_type: self.cooperative_type,
                form: self.form,
                status: self.status,
                savings_and_loan: self.savings_and_loan,
                q: self.q,
                include_archived: self.include_archived,
            },
        )
    }
}

async fn export_annual_reports(
    state: web::Data<AppState>,
    q: AnnualReportExportQuery,
    format: Format,
) -> Result<HttpResponse, ApiError> {
    let (cooperative_query, book_year) = q.split()?;
    let filter = cooperative_query.filter(&state)?;
    let rows = state
        .read(move |conn| {
            let cooperatives = cooperatives::list_all(conn, &filter, MAX_EXPORT_ROWS + 1)?;
            if cooperatives.len() as i64 > MAX_EXPORT_ROWS {
                return Err(too_many("cooperatives"));
            }
            let ids: Vec<i64> = cooperatives.iter().map(|c| c.id).collect();
            let numbers: std::collections::HashMap<i64, Option<String>> = cooperatives
                .into_iter()
                .map(|c| (c.id, c.registration_number))
                .collect();
            let mut out = Vec::new();
            for report in annual_reports::find_by_cooperatives(conn, &ids)? {
                if book_year.is_some_and(|y| y != report.book_year) {
                    continue;
                }
                let number = numbers.get(&report.cooperative_id).cloned().flatten();
                out.push(imports::annual_reports::cells(number.as_deref(), &report));
            }
            if out.len() as i64 > MAX_EXPORT_ROWS {
                return Err(too_many("annual reports"));
            }
            Ok(out)
        })
        .await?;
    file(
        format,
        "annual-reports",
        imports::annual_reports::COLUMNS,
        &rows,
    )
}

/// Export annual reports as CSV.
///
/// The reports (of `book_year`, or every year) of each cooperative matching the cooperative
/// filters, in the layout `POST /api/v1/imports` reads (`kind=annual_reports`): each row names
/// its cooperative by registration number (a cooperative without one cannot be re-imported).
#[utoipa::path(
    operation_id = "export_annual_reports_csv",
    tag = "imports",
    params(AnnualReportExportQuery),
    responses(
        (status = 200, description = "The CSV file (UTF-8, comma-separated, header row in English).", content_type = "text/csv", body = String),
        (status = 400, response = responses::BadRequest),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/exports/annual-reports.csv")]
pub async fn export_annual_reports_csv(
    state: web::Data<AppState>,
    query: QueryParams<AnnualReportExportQuery>,
) -> Result<HttpResponse, ApiError> {
    export_annual_reports(state, query.0, Format::Csv).await
}

/// Export annual reports as XLSX.
///
/// The same rows and columns as `export_annual_reports_csv`, as an Excel workbook with one sheet.
#[utoipa::path(
    operation_id = "export_annual_reports_xlsx",
    tag = "imports",
    params(AnnualReportExportQuery),
    responses(
        (status = 200, description = "The XLSX workbook.", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, response = responses::BadRequest),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/exports/annual-reports.xlsx")]
pub async fn export_annual_reports_xlsx(
    state: web::Data<AppState>,
    query: QueryParams<AnnualReportExportQuery>,
) -> Result<HttpResponse, ApiError> {
    export_annual_reports(state, query.0, Format::Xlsx).await
}

async fn export_cooperatives(
    state: web::Data<AppState>,
    q: CooperativeExportQuery,
    format: Format,
) -> Result<HttpResponse, ApiError> {
    let filter = q.filter(&state)?;
    let rows = state
        .read(move |conn| {
            let rows = cooperatives::list_all(conn, &filter, MAX_EXPORT_ROWS + 1)?;
            if rows.len() as i64 > MAX_EXPORT_ROWS {
                return Err(too_many("cooperatives"));
            }
            Ok(rows
                .iter()
                .map(imports::cooperatives::cells)
                .collect::<Vec<_>>())
        })
        .await?;
    file(
        format,
        "cooperatives",
        imports::cooperatives::COLUMNS,
        &rows,
    )
}

/// Export cooperatives as CSV.
///
/// Every cooperative matching the filters (at most 100000; 422 beyond), in the layout
/// `POST /api/v1/imports` reads (`kind=cooperatives`): exporting and re-importing changes nothing.
/// The board and the activity status are not part of the sheet.
#[utoipa::path(
    operation_id = "export_cooperatives_csv",
    tag = "imports",
    params(CooperativeExportQuery),
    responses(
        (status = 200, description = "The CSV file (UTF-8, comma-separated, header row in English).", content_type = "text/csv", body = String),
        (status = 400, response = responses::BadRequest),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/exports/cooperatives.csv")]
pub async fn export_cooperatives_csv(
    state: web::Data<AppState>,
    query: QueryParams<CooperativeExportQuery>,
) -> Result<HttpResponse, ApiError> {
    export_cooperatives(state, query.0, Format::Csv).await
}

/// Export cooperatives as XLSX.
///
/// The same rows and columns as `export_cooperatives_csv`, as an Excel workbook with one sheet.
#[utoipa::path(
    operation_id = "export_cooperatives_xlsx",
    tag = "imports",
    params(CooperativeExportQuery),
    responses(
        (status = 200, description = "The XLSX workbook.", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, response = responses::BadRequest),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/exports/cooperatives.xlsx")]
pub async fn export_cooperatives_xlsx(
    state: web::Data<AppState>,
    query: QueryParams<CooperativeExportQuery>,
) -> Result<HttpResponse, ApiError> {
    export_cooperatives(state, query.0, Format::Xlsx).await
}
