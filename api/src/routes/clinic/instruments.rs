//! Health-assessment instruments: `/api/v1/instruments`.

use klinik_app::clinic::instruments::{
    self, CreateInstrument, Instrument, InstrumentQuery, ScoreRequest,
};
use klinik_domain::clinic::health::Scored;

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_instrument)
        .service(list_instruments)
        .service(get_instrument)
        .service(score_instrument);
}

/// Add an instrument version.
///
/// The definition is checked as a whole (weights add up to 100, bands ascend, cut-offs rise)
/// and stored as the next version of `code`; earlier versions and the assessments made with them
/// stay as they were.
#[utoipa::path(
    tag = "cases and diagnoses",
    request_body = CreateInstrument,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see `create_cooperative`).", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Stored as the next version of its code.", body = Instrument,
            headers(("Location" = String, description = "URL of the new version."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[post("/instruments")]
pub async fn create_instrument(allowed: Allowed, body: CreateBody<CreateInstrument>) -> Reply {
    created(instruments::create(&allowed, body.idempotency, body.value).await?)
}

/// List instrument versions, by code and version.
#[utoipa::path(
    tag = "cases and diagnoses",
    params(InstrumentQuery),
    responses(
        (status = 200, description = "One page of instrument versions.", body = Page<Instrument>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/instruments")]
pub async fn list_instruments(allowed: Allowed, query: QueryParams<InstrumentQuery>) -> Reply {
    ok(instruments::list(&allowed, query.0).await?)
}

/// Read an instrument version.
#[utoipa::path(
    tag = "cases and diagnoses",
    params(("id" = i64, Path, description = "The instrument version's id.", minimum = 1)),
    responses(
        (status = 200, description = "The instrument version.", body = Instrument,
            headers(("ETag" = String, description = "Its version number."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/instruments/{id}")]
pub async fn get_instrument(allowed: Allowed, id: web::Path<InstrumentId>) -> Reply {
    tagged(instruments::get(&allowed, *id).await?)
}

/// Score with an instrument, without storing anything.
///
/// Every component needs an input; the answer shows each component's score and weighted
/// contribution, each aspect's sum, the total rounded to two decimals and the predicate. Useful to
/// preview an assessment before it is recorded with a diagnosis.
#[utoipa::path(
    tag = "cases and diagnoses",
    request_body = ScoreRequest,
    params(("id" = i64, Path, description = "The instrument version's id.", minimum = 1)),
    responses(
        (status = 200, description = "The scored assessment.", body = Scored),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[post("/instruments/{id}/score")]
pub async fn score_instrument(
    allowed: Allowed,
    id: web::Path<InstrumentId>,
    body: JsonBody<ScoreRequest>,
) -> Reply {
    ok(instruments::score(&allowed, *id, body.value).await?)
}
