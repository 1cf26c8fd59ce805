//! UKM and their yearly figures as spreadsheets.

use klinik_app::registry::exports::{
    self,
    ukm::{UkmExportQuery, YearlyFiguresExportQuery},
};
use klinik_app::spreadsheet::Format;

use crate::routes::prelude::*;

/// Export UKM as CSV.
///
/// Every UKM matching the filters (at most 100000; 422 beyond), one row each with its owner, in
/// the layout `POST /api/v1/imports` reads (`kind=ukm`): exporting and re-importing changes
/// nothing. Admins and officers get owners' personal data in clear (the export is audited); other
/// readers get NIK and phone masked and no birth date or home address. Cells that a spreadsheet
/// would run as formulas are written with a leading apostrophe.
#[utoipa::path(
    tag = "imports",
    params(UkmExportQuery),
    responses(
        (status = 200, description = "The CSV file (UTF-8, comma-separated, header row in English).", content_type = "text/csv", body = String),
        (status = 400, response = responses::BadRequest),
        (status = 422, response = responses::UnprocessableContent),
    ),
)]
#[get("/exports/ukm.csv")]
pub async fn export_ukm_csv(allowed: Allowed, query: QueryParams<UkmExportQuery>) -> Reply {
    let file = exports::ukm::ukm(&allowed, query.0, Format::Csv).await?;
    download(file.format, file.name, file.body)
}

/// Export UKM as XLSX.
///
/// The same rows and columns as `export_ukm_csv`, as an Excel workbook with one sheet.
#[utoipa::path(
    tag = "imports",
    params(UkmExportQuery),
    responses(
        (status = 200, description = "The XLSX workbook.", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, response = responses::BadRequest),
        (status = 422, response = responses::UnprocessableContent),
    ),
)]
#[get("/exports/ukm.xlsx")]
pub async fn export_ukm_xlsx(allowed: Allowed, query: QueryParams<UkmExportQuery>) -> Reply {
    let file = exports::ukm::ukm(&allowed, query.0, Format::Xlsx).await?;
    download(file.format, file.name, file.body)
}

/// Export UKM yearly figures as CSV.
///
/// The figures (of `year`, or every year) of each UKM matching the UKM filters, one row per UKM
/// and year, in the layout `POST /api/v1/imports` reads (`kind=yearly_figures`): each row names its
/// UKM by NIB, owner NIK and business name. The NIK is in clear for admins and officers (audited)
/// and masked for other readers.
#[utoipa::path(
    tag = "imports",
    params(YearlyFiguresExportQuery),
    responses(
        (status = 200, description = "The CSV file (UTF-8, comma-separated, header row in English).", content_type = "text/csv", body = String),
        (status = 400, response = responses::BadRequest),
        (status = 422, response = responses::UnprocessableContent),
    ),
)]
#[get("/exports/yearly-figures.csv")]
pub async fn export_yearly_figures_csv(
    allowed: Allowed,
    query: QueryParams<YearlyFiguresExportQuery>,
) -> Reply {
    let file = exports::ukm::yearly_figures(&allowed, query.0, Format::Csv).await?;
    download(file.format, file.name, file.body)
}

/// Export UKM yearly figures as XLSX.
///
/// The same rows and columns as `export_yearly_figures_csv`, as an Excel workbook with one sheet.
#[utoipa::path(
    tag = "imports",
    params(YearlyFiguresExportQuery),
    responses(
        (status = 200, description = "The XLSX workbook.", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, response = responses::BadRequest),
        (status = 422, response = responses::UnprocessableContent),
    ),
)]
#[get("/exports/yearly-figures.xlsx")]
pub async fn export_yearly_figures_xlsx(
    allowed: Allowed,
    query: QueryParams<YearlyFiguresExportQuery>,
) -> Reply {
    let file = exports::ukm::yearly_figures(&allowed, query.0, Format::Xlsx).await?;
    download(file.format, file.name, file.body)
}
