//! Cooperatives and their annual reports as spreadsheets.

use klinik_app::registry::exports::{
    self,
    cooperatives::{AnnualReportExportQuery, CooperativeExportQuery},
};
use klinik_app::spreadsheet::Format;

use crate::routes::prelude::*;

/// Export annual reports as CSV.
///
/// The reports (of `book_year`, or every year) of each cooperative matching the cooperative
/// filters, in the layout `POST /api/v1/imports` reads (`kind=annual_reports`): each row names
/// its cooperative by registration number (a cooperative without one cannot be re-imported).
#[utoipa::path(
    tag = "imports",
    params(AnnualReportExportQuery),
    responses(
        (status = 200, description = "The CSV file (UTF-8, comma-separated, header row in English).", content_type = "text/csv", body = String),
        (status = 400, response = responses::BadRequest),
        (status = 422, response = responses::UnprocessableContent),
    ),
)]
#[get("/exports/annual-reports.csv")]
pub async fn export_annual_reports_csv(
    allowed: Allowed,
    query: QueryParams<AnnualReportExportQuery>,
) -> Reply {
    let file = exports::cooperatives::annual_reports(&allowed, query.0, Format::Csv).await?;
    download(file.format, file.name, file.body)
}

/// Export annual reports as XLSX.
///
/// The same rows and columns as `export_annual_reports_csv`, as an Excel workbook with one sheet.
#[utoipa::path(
    tag = "imports",
    params(AnnualReportExportQuery),
    responses(
        (status = 200, description = "The XLSX workbook.", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, response = responses::BadRequest),
        (status = 422, response = responses::UnprocessableContent),
    ),
)]
#[get("/exports/annual-reports.xlsx")]
pub async fn export_annual_reports_xlsx(
    allowed: Allowed,
    query: QueryParams<AnnualReportExportQuery>,
) -> Reply {
    let file = exports::cooperatives::annual_reports(&allowed, query.0, Format::Xlsx).await?;
    download(file.format, file.name, file.body)
}

/// Export cooperatives as CSV.
///
/// Every cooperative matching the filters (at most 100000; 422 beyond), in the layout
/// `POST /api/v1/imports` reads (`kind=cooperatives`): exporting and re-importing changes nothing.
/// The board and the activity status are not part of the sheet.
#[utoipa::path(
    tag = "imports",
    params(CooperativeExportQuery),
    responses(
        (status = 200, description = "The CSV file (UTF-8, comma-separated, header row in English).", content_type = "text/csv", body = String),
        (status = 400, response = responses::BadRequest),
        (status = 422, response = responses::UnprocessableContent),
    ),
)]
#[get("/exports/cooperatives.csv")]
pub async fn export_cooperatives_csv(
    allowed: Allowed,
    query: QueryParams<CooperativeExportQuery>,
) -> Reply {
    let file = exports::cooperatives::cooperatives(&allowed, query.0, Format::Csv).await?;
    download(file.format, file.name, file.body)
}

/// Export cooperatives as XLSX.
///
/// The same rows and columns as `export_cooperatives_csv`, as an Excel workbook with one sheet.
#[utoipa::path(
    tag = "imports",
    params(CooperativeExportQuery),
    responses(
        (status = 200, description = "The XLSX workbook.", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, response = responses::BadRequest),
        (status = 422, response = responses::UnprocessableContent),
    ),
)]
#[get("/exports/cooperatives.xlsx")]
pub async fn export_cooperatives_xlsx(
    allowed: Allowed,
    query: QueryParams<CooperativeExportQuery>,
) -> Reply {
    let file = exports::cooperatives::cooperatives(&allowed, query.0, Format::Xlsx).await?;
    download(file.format, file.name, file.body)
}
