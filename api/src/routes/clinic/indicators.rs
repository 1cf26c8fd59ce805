//! Programme indicators: `/api/v1/programmes/{id}/indicators`, `/api/v1/indicators` and its
//! CSV and XLSX tables.

use actix_web::HttpResponse;
use actix_web::http::header;
use klinik_app::clinic::indicators::{
    self, IndicatorsExportQuery, IndicatorsQuery, ProgrammeIndicatorsQuery, cache::Counted,
    dto::Indicators,
};
use klinik_app::spreadsheet::Format;

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(get_programme_indicators)
        .service(get_indicators)
        .service(export_indicators_csv)
        .service(export_indicators_xlsx);
}

/// The counted figures as the JSON answer, copied from the cache as they are.
fn json_answer(counted: &Counted) -> Reply {
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .body(counted.json.as_ref().clone()))
}

/// Read a programme's indicators.
///
/// Per calendar year of the programme's horizon and cumulative: cooperatives and UKM helped (a
/// first final diagnosis in the year) against the targets, `bagus` outcomes against the targets,
/// outcomes, the funnel of cases by status, predicate movement, the most frequent problem
/// categories, recommendations done by kind, capital by scheme and by bank, UKM that moved up a
/// size class, the median days from registration to the first final diagnosis; and the
/// registries' active ratios and RAT compliance at each year's end and now. With
/// `group_by=kecamatan`, the same for each kecamatan; they sum to the city's figures. Each count
/// equals the `total` of the matching list (`list_cases`, `list_recommendations`) with the same
/// filters. The figures are kept until the next change through this server; a change through
/// another server instance shows within 10 seconds.
#[utoipa::path(
    tag = "indicators",
    params(("id" = i64, Path, description = "The programme's id.", minimum = 1), ProgrammeIndicatorsQuery),
    responses(
        (status = 200, description = "The programme's indicators.", body = Indicators),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
    ),
)]
#[get("/programmes/{id}/indicators")]
pub async fn get_programme_indicators(
    allowed: Allowed,
    id: web::Path<ProgrammeId>,
    query: QueryParams<ProgrammeIndicatorsQuery>,
) -> Reply {
    json_answer(&indicators::of_programme(&allowed, *id, query.0).await?)
}

/// Read the indicators of every programme.
///
/// The figures of `get_programme_indicators` over all programmes, for each year from `from_year`
/// to `to_year` and cumulative; a year's targets are the sum of its programmes' targets.
#[utoipa::path(
    tag = "indicators",
    params(IndicatorsQuery),
    responses(
        (status = 200, description = "The indicators.", body = Indicators),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/indicators")]
pub async fn get_indicators(allowed: Allowed, query: QueryParams<IndicatorsQuery>) -> Reply {
    json_answer(&indicators::of_range(&allowed, query.0).await?)
}

/// Download the indicators as CSV.
///
/// One row per figure: `programme_id`, `kecamatan_code` (empty for the city), `year` (`total`
/// for the cumulative figures), `indicator`, `breakdown` (a status, kind, scheme, `bank:{id}`,
/// `count`/`of` of a ratio…) and `value` (empty where a target or median is none).
#[utoipa::path(
    tag = "indicators",
    params(IndicatorsExportQuery),
    responses(
        (status = 200, description = "The CSV file (UTF-8, comma-separated, header row).", content_type = "text/csv", body = String),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
    ),
)]
#[get("/indicators.csv")]
pub async fn export_indicators_csv(
    allowed: Allowed,
    query: QueryParams<IndicatorsExportQuery>,
) -> Reply {
    let body = indicators::export(&allowed, query.0, Format::Csv).await?;
    download(Format::Csv, "indicators", body)
}

/// Download the indicators as XLSX.
///
/// The same rows as `export_indicators_csv`, as an Excel workbook with one sheet.
#[utoipa::path(
    tag = "indicators",
    params(IndicatorsExportQuery),
    responses(
        (status = 200, description = "The XLSX workbook.", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
    ),
)]
#[get("/indicators.xlsx")]
pub async fn export_indicators_xlsx(
    allowed: Allowed,
    query: QueryParams<IndicatorsExportQuery>,
) -> Reply {
    let body = indicators::export(&allowed, query.0, Format::Xlsx).await?;
    download(Format::Xlsx, "indicators", body)
}
