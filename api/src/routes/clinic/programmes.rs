//! Programmes, the clinic's yearly cohorts: `/api/v1/programmes`.

use klinik_app::clinic::programmes::{
    self, CreateProgramme, PatchProgramme, Programme, ProgrammeEntity, ProgrammeQuery,
};
use klinik_app::registry::cooperatives::query::IncludeArchivedQuery;
use klinik_app::versioned;

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_programme)
        .service(list_programmes)
        .service(get_programme)
        .service(update_programme)
        .service(archive_programme);
}

/// Open a programme.
///
/// A yearly cohort of the clinic ("Coaching Clinic 2017") with the article's targets: by default
/// 30 cooperatives helped and 10 of them good, followed over 5 to 7 years.
#[utoipa::path(
    tag = "programmes and people",
    request_body = CreateProgramme,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see `create_cooperative`).", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Opened.", body = Programme,
            headers(("Location" = String, description = "URL of the new programme."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[post("/programmes")]
pub async fn create_programme(allowed: Allowed, body: CreateBody<CreateProgramme>) -> Reply {
    created(programmes::create(&allowed, body.idempotency, body.value).await?)
}

/// List programmes, newest year first.
#[utoipa::path(
    tag = "programmes and people",
    params(ProgrammeQuery),
    responses(
        (status = 200, description = "One page of programmes.", body = Page<Programme>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/programmes")]
pub async fn list_programmes(allowed: Allowed, query: QueryParams<ProgrammeQuery>) -> Reply {
    ok(programmes::list(&allowed, query.0).await?)
}

/// Read a programme.
#[utoipa::path(
    tag = "programmes and people",
    params(("id" = i64, Path, description = "The programme's id.", minimum = 1), IncludeArchivedQuery),
    responses(
        (status = 200, description = "The programme.", body = Programme,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/programmes/{id}")]
pub async fn get_programme(
    allowed: Allowed,
    id: web::Path<ProgrammeId>,
    query: QueryParams<IncludeArchivedQuery>,
) -> Reply {
    tagged(programmes::get(&allowed, *id, query.0).await?)
}

/// Change a programme.
///
/// Absent fields stay, `null` clears an optional one, `funding_partner_ids` replaces the list;
/// the result is checked as a whole. Send the `ETag` you read as `If-Match` (412 if it changed).
#[utoipa::path(
    tag = "programmes and people",
    request_body = PatchProgramme,
    params(
        ("id" = i64, Path, description = "The programme's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The changed programme.", body = Programme,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[patch("/programmes/{id}")]
pub async fn update_programme(
    allowed: Allowed,
    id: web::Path<ProgrammeId>,
    if_match: Precondition,
    body: JsonBody<PatchProgramme>,
) -> Reply {
    tagged(programmes::update(&allowed, *id, if_match.0, body.value).await?)
}

/// Archive a programme.
///
/// Kept for the record but gone from lists and reads unless `include_archived=true`. Archiving
/// twice is a 404.
#[utoipa::path(
    tag = "programmes and people",
    params(
        ("id" = i64, Path, description = "The programme's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 204, description = "Archived."),
    ),
)]
#[delete("/programmes/{id}")]
pub async fn archive_programme(
    allowed: Allowed,
    id: web::Path<ProgrammeId>,
    if_match: Precondition,
) -> Reply {
    versioned::archive_in_transaction::<ProgrammeEntity>(&allowed, *id, if_match.0).await?;
    no_content()
}
