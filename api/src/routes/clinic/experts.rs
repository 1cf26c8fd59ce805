//! Experts of the diagnosis teams: `/api/v1/experts`.

use klinik_app::clinic::experts::{
    self, CreateExpert, Expert, ExpertEntity, ExpertQuery, PatchExpert,
};
use klinik_app::registry::cooperatives::query::IncludeArchivedQuery;
use klinik_app::versioned;

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_expert)
        .service(list_experts)
        .service(get_expert)
        .service(update_expert)
        .service(archive_expert);
}

/// Register an expert.
///
/// An academic, practitioner, banker, cooperative-council member, office staff member or
/// consultant who can sit on diagnosis teams, mentor or speak. `user_id` links the account an
/// expert signs in with; it must have the `assessor` role. Phone and e-mail are personal data:
/// shown in clear to `admin` and `officer` only.
#[utoipa::path(
    tag = "programmes and people",
    request_body = CreateExpert,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see `create_cooperative`).", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Registered.", body = Expert,
            headers(("Location" = String, description = "URL of the new expert."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[post("/experts")]
pub async fn create_expert(allowed: Allowed, body: CreateBody<CreateExpert>) -> Reply {
    created(experts::create(&allowed, body.idempotency, body.value).await?)
}

/// List experts, by name.
#[utoipa::path(
    tag = "programmes and people",
    params(ExpertQuery),
    responses(
        (status = 200, description = "One page of experts.", body = Page<Expert>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/experts")]
pub async fn list_experts(allowed: Allowed, query: QueryParams<ExpertQuery>) -> Reply {
    ok(experts::list(&allowed, query.0).await?)
}

/// Read an expert.
#[utoipa::path(
    tag = "programmes and people",
    params(("id" = i64, Path, description = "The expert's id.", minimum = 1), IncludeArchivedQuery),
    responses(
        (status = 200, description = "The expert.", body = Expert,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/experts/{id}")]
pub async fn get_expert(
    allowed: Allowed,
    id: web::Path<ExpertId>,
    query: QueryParams<IncludeArchivedQuery>,
) -> Reply {
    tagged(experts::get(&allowed, *id, query.0).await?)
}

/// Change an expert.
///
/// Absent fields stay, `null` clears an optional one, `expertise` replaces the list. Send the
/// `ETag` you read as `If-Match` (412 if it changed since).
#[utoipa::path(
    tag = "programmes and people",
    request_body = PatchExpert,
    params(
        ("id" = i64, Path, description = "The expert's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The changed expert.", body = Expert,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[patch("/experts/{id}")]
pub async fn update_expert(
    allowed: Allowed,
    id: web::Path<ExpertId>,
    if_match: Precondition,
    body: JsonBody<PatchExpert>,
) -> Reply {
    tagged(experts::update(&allowed, *id, if_match.0, body.value).await?)
}

/// Archive an expert.
///
/// Kept for the record (teams and sessions still name them), made inactive, and gone from lists
/// and reads unless `include_archived=true`. Archiving twice is a 404.
#[utoipa::path(
    tag = "programmes and people",
    params(
        ("id" = i64, Path, description = "The expert's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 204, description = "Archived."),
    ),
)]
#[delete("/experts/{id}")]
pub async fn archive_expert(
    allowed: Allowed,
    id: web::Path<ExpertId>,
    if_match: Precondition,
) -> Reply {
    versioned::archive_in_transaction::<ExpertEntity>(&allowed, *id, if_match.0).await?;
    no_content()
}
