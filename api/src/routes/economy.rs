//! The city's economy: its accounts as reference data (`/api/v1/economy/years`,
//! `/api/v1/economy/target`) and what the registries say of each year beside them
//! (`/api/v1/economy`, also as CSV and XLSX).

use klinik_app::economy::figures::{self, EconomyQuery, EconomyView};
use klinik_app::economy::{
    self, CreateEconomyYear, EconomicTarget, EconomyYear, EconomyYearQuery, PatchEconomyYear,
    PutTarget, table,
};
use klinik_app::spreadsheet::Format;

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_economy_year)
        .service(list_economy_years)
        .service(get_economy_year)
        .service(update_economy_year)
        .service(delete_economy_year)
        .service(get_economic_target)
        .service(set_economic_target)
        .service(get_economy)
        .service(export_economy_csv)
        .service(export_economy_xlsx);
}

/// Read the economy year by year.
///
/// For each year from `from_year` to `to_year` (default: the seven years up to last year): the city's PDRB
/// as entered, the published share of cooperatives and UKM, the target beside them, and what the
/// registries say — UKM reporting figures, their turnover and workers, new registrations, the
/// size-class mix (from each year's turnover) and how UKM moved between classes since the year
/// before (both years classed under the year's thresholds, so a new regulation is not a move); cooperatives filing an annual report for the book year, their business volume,
/// assets, own capital, SHU, members by sex, employees and RATs held. **Coverage** tells how
/// much of today's registry reported, and so how much the sums mean. The **proxy share** sets
/// the registries' gross output against PDRB at current prices: it is not value added, so it is
/// a trend to read beside the published share, never the official figure.
///
/// Every count equals the total of the matching list or export: `registered` that of `/ukm` or
/// `/cooperatives`, `reporting` the rows of `/exports/yearly-figures.csv?year=` or
/// `/exports/annual-reports.csv?book_year=`, `new_registrations` that of
/// `/ukm?registered_year=` — each with the same `kecamatan_code`. Archived records count in
/// none of them. With `group_by=kecamatan` each year also lists every kecamatan; the parts sum
/// to the whole. Nothing in it is personal.
#[utoipa::path(
    tag = "economy",
    params(EconomyQuery),
    responses(
        (status = 200, description = "The years, oldest first.", body = EconomyView),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/economy")]
pub async fn get_economy(allowed: Allowed, query: QueryParams<EconomyQuery>) -> Reply {
    ok(figures::view(&allowed, query.0).await?)
}

/// Download the economy as CSV.
///
/// The figures of `get_economy` as one table for a data portal: a row per year, or with
/// `group_by=kecamatan` a row per year and kecamatan (whose PDRB, published share, target and
/// proxy cells are empty: PDRB is not published by kecamatan). Columns: `year`,
/// `kecamatan_code`, `kecamatan_name`, `pdrb_current_prices`, `pdrb_constant_prices`,
/// `pdrb_status`, `published_share_percent`, `published_share_scope`, `target_percent`,
/// `target_year`, `registry_output`, `proxy_share_percent_output_not_value_added`, then `ukm_…`
/// and `cooperatives_…` as in the JSON (`ukm_moved_up`, `ukm_moved_down`, `ukm_same_class` for
/// the movement). No personal data.
#[utoipa::path(
    tag = "economy",
    params(EconomyQuery),
    responses(
        (status = 200, description = "The CSV file (UTF-8, comma-separated, header row).", content_type = "text/csv", body = String),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/economy.csv")]
pub async fn export_economy_csv(allowed: Allowed, query: QueryParams<EconomyQuery>) -> Reply {
    let file = table::export(&allowed, query.0, Format::Csv).await?;
    download(file.format, file.name, file.body)
}

/// Download the economy as XLSX.
///
/// The same rows and columns as `export_economy_csv`, as an Excel workbook with one sheet.
#[utoipa::path(
    tag = "economy",
    params(EconomyQuery),
    responses(
        (status = 200, description = "The XLSX workbook.", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/economy.xlsx")]
pub async fn export_economy_xlsx(allowed: Allowed, query: QueryParams<EconomyQuery>) -> Reply {
    let file = table::export(&allowed, query.0, Format::Xlsx).await?;
    download(file.format, file.name, file.body)
}

/// Enter a year's PDRB.
///
/// As published by BPS (current and constant prices in whole rupiah, the publication, and
/// whether it is preliminary or final), with the official share of cooperatives and UKM in it
/// where one is published. One record per year (409 for a second).
#[utoipa::path(
    tag = "economy",
    request_body = CreateEconomyYear,
    responses(
        (status = 201, description = "Entered.", body = EconomyYear,
            headers(("Location" = String, description = "URL of the year."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[post("/economy/years")]
pub async fn create_economy_year(allowed: Allowed, body: CreateBody<CreateEconomyYear>) -> Reply {
    created(economy::create(&allowed, body.idempotency, body.value).await?)
}

/// List the years of the city's economy, oldest first.
///
/// Each with the target beside it.
#[utoipa::path(
    tag = "economy",
    params(EconomyYearQuery),
    responses(
        (status = 200, description = "One page of years.", body = Page<EconomyYear>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/economy/years")]
pub async fn list_economy_years(allowed: Allowed, query: QueryParams<EconomyYearQuery>) -> Reply {
    ok(economy::list(&allowed, query.0).await?)
}

/// Read a year of the city's economy.
#[utoipa::path(
    tag = "economy",
    params(("year" = i32, Path, description = "The year.", minimum = 2000, maximum = 2100)),
    responses(
        (status = 200, description = "The year.", body = EconomyYear, headers(("ETag" = String, description = "Its version."))),
    ),
)]
#[get("/economy/years/{year}")]
pub async fn get_economy_year(allowed: Allowed, year: web::Path<i32>) -> Reply {
    tagged(economy::get(&allowed, *year).await?)
}

/// Correct a year of the city's economy.
///
/// A revised figure, a final one replacing the preliminary, or the published share (`null`
/// removes it). The result must satisfy every rule as a whole.
#[utoipa::path(
    tag = "economy",
    request_body = PatchEconomyYear,
    params(
        ("year" = i32, Path, description = "The year.", minimum = 2000, maximum = 2100),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the year has changed since."),
    ),
    responses(
        (status = 200, description = "The corrected year.", body = EconomyYear, headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[patch("/economy/years/{year}")]
pub async fn update_economy_year(
    allowed: Allowed,
    year: web::Path<i32>,
    if_match: Precondition,
    body: JsonBody<PatchEconomyYear>,
) -> Reply {
    tagged(economy::update(&allowed, *year, if_match.0, body.value).await?)
}

/// Delete a year entered by mistake.
///
/// So that it can be entered again; the audit trail keeps what it held.
#[utoipa::path(
    tag = "economy",
    params(
        ("year" = i32, Path, description = "The year.", minimum = 2000, maximum = 2100),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the year has changed since."),
    ),
    responses(
        (status = 204, description = "Deleted."),
    ),
)]
#[delete("/economy/years/{year}")]
pub async fn delete_economy_year(
    allowed: Allowed,
    year: web::Path<i32>,
    if_match: Precondition,
) -> Reply {
    economy::delete(&allowed, *year, if_match.0).await?;
    no_content()
}

/// Read the economic target.
///
/// The share of PDRB the cooperatives and UKM should reach, and by when (the article's 35 %).
#[utoipa::path(
    tag = "economy",
    responses(
        (status = 200, description = "The target.", body = EconomicTarget, headers(("ETag" = String, description = "Its version."))),
    ),
)]
#[get("/economy/target")]
pub async fn get_economic_target(allowed: Allowed) -> Reply {
    tagged(economy::target(&allowed).await?)
}

/// Set the economic target.
///
/// For this deployment; audited.
#[utoipa::path(
    tag = "economy",
    request_body = PutTarget,
    params(
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the target has changed since."),
    ),
    responses(
        (status = 200, description = "The new target.", body = EconomicTarget, headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[put("/economy/target")]
pub async fn set_economic_target(
    allowed: Allowed,
    if_match: Precondition,
    body: JsonBody<PutTarget>,
) -> Reply {
    tagged(economy::set_target(&allowed, if_match.0, body.value).await?)
}
