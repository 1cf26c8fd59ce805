//! The city's economy as reference data: `/api/v1/economy/years` and `/api/v1/economy/target`.

use klinik_app::economy::{
    self, CreateEconomyYear, EconomicTarget, EconomyYear, EconomyYearQuery, PatchEconomyYear,
    PutTarget,
};

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_economy_year)
        .service(list_economy_years)
        .service(get_economy_year)
        .service(update_economy_year)
        .service(delete_economy_year)
        .service(get_economic_target)
        .service(set_economic_target);
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
