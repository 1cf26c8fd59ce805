//! The UKM registry: `/api/v1/ukm`, with its owners' personal data protected.

use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use klinik_app::registry::ukm::{
    self, UkmReadQuery,
    figures::{self, CreateYearlyFigures, FiguresQuery, YearlyFiguresRecord},
    model::{CreateUkm, PatchUkm, Ukm},
    query::UkmQuery,
};

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_ukm)
        .service(list_ukm)
        .service(get_ukm)
        .service(update_ukm)
        .service(archive_ukm)
        .service(create_ukm_yearly_figures)
        .service(list_ukm_yearly_figures);
}

/// Register a UKM.
///
/// The owner is a person: a NIK that is already registered links the UKM to that person (one person
/// may own several UKM). The size class is computed from annual sales (or, without them, capital)
/// under the regulation in force on `figures_date`. NIK, phone, birth date and home address are
/// stored encrypted; NIK and phone are shown masked. With an `Idempotency-Key`, a retry returns the first response.
#[utoipa::path(
    tag = "ukm",
    request_body = CreateUkm,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see create_cooperative).", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Registered.", body = Ukm,
            headers(("Location" = String, description = "URL of the UKM."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[post("/ukm")]
pub async fn create_ukm(allowed: Allowed, body: CreateBody<CreateUkm>) -> Reply {
    created(ukm::create(&allowed, body.idempotency, body.value).await?)
}

/// List UKM.
///
/// Filters, sorting and pagination as documented on each parameter. Owners' NIK and phone are
/// masked; searching by `nik` is for admin and officer only.
#[utoipa::path(
    tag = "ukm",
    params(UkmQuery),
    responses(
        (status = 200, description = "One page of UKM.", body = Page<Ukm>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/ukm")]
pub async fn list_ukm(allowed: Allowed, query: QueryParams<UkmQuery>) -> Reply {
    ok(ukm::list(&allowed, query.0).await?)
}

/// Read a UKM.
///
/// The owner's NIK and phone are masked unless an admin or officer asks `reveal=nik`, which is
/// audited.
#[utoipa::path(
    tag = "ukm",
    params(("id" = i64, Path, description = "The UKM's id.", minimum = 1), UkmReadQuery),
    responses(
        (status = 200, description = "The UKM.", body = Ukm, headers(("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/ukm/{id}")]
pub async fn get_ukm(
    allowed: Allowed,
    id: web::Path<UkmId>,
    query: QueryParams<UkmReadQuery>,
) -> Reply {
    let (record, revealed) = ukm::get(&allowed, *id, query.0).await?;
    let mut response = tagged(record)?;
    if revealed {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

/// Change a UKM.
///
/// Partial update of the business fields (the owner stays); the size class is recomputed. Send the
/// `ETag` as `If-Match` to avoid overwriting someone else's change (412).
#[utoipa::path(
    tag = "ukm",
    request_body = PatchUkm,
    params(
        ("id" = i64, Path, description = "The UKM's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the UKM has changed since."),
    ),
    responses(
        (status = 200, description = "The changed UKM.", body = Ukm, headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[patch("/ukm/{id}")]
pub async fn update_ukm(
    allowed: Allowed,
    id: web::Path<UkmId>,
    if_match: Precondition,
    body: JsonBody<PatchUkm>,
) -> Reply {
    tagged(ukm::update(&allowed, *id, if_match.0, body.value).await?)
}

/// Archive a UKM.
///
/// The record is kept but disappears from lists and reads unless `include_archived=true`.
#[utoipa::path(
    tag = "ukm",
    params(
        ("id" = i64, Path, description = "The UKM's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the UKM has changed since."),
    ),
    responses(
        (status = 204, description = "Archived."),
    ),
)]
#[delete("/ukm/{id}")]
pub async fn archive_ukm(allowed: Allowed, id: web::Path<UkmId>, if_match: Precondition) -> Reply {
    ukm::archive(&allowed, *id, if_match.0).await?;
    no_content()
}

/// Record a UKM's figures for one year.
///
/// One record per year (409 for a second).
#[utoipa::path(
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
        (status = 409, response = responses::Conflict),
    ),
)]
#[post("/ukm/{id}/yearly-figures")]
pub async fn create_ukm_yearly_figures(
    allowed: Allowed,
    id: web::Path<UkmId>,
    body: CreateBody<CreateYearlyFigures>,
) -> Reply {
    created(figures::create(&allowed, *id, body.idempotency, body.value).await?)
}

/// List a UKM's yearly figures, newest year first.
#[utoipa::path(
    tag = "ukm",
    params(("id" = i64, Path, description = "The UKM's id.", minimum = 1), FiguresQuery),
    responses(
        (status = 200, description = "Every year on record.", body = Vec<YearlyFiguresRecord>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/ukm/{id}/yearly-figures")]
pub async fn list_ukm_yearly_figures(
    allowed: Allowed,
    id: web::Path<UkmId>,
    query: QueryParams<FiguresQuery>,
) -> Reply {
    ok(figures::list(&allowed, *id, query.0).await?)
}
