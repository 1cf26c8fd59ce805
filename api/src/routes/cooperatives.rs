//! The cooperative registry: `/api/v1/cooperatives`.

use klinik_app::registry::cooperatives::{
    self as cooperatives,
    model::{Cooperative, CreateCooperative, PatchCooperative, StatusOverrideInput},
    query::{CooperativeQuery, IncludeArchivedQuery},
};

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_cooperative)
        .service(list_cooperatives)
        .service(get_cooperative)
        .service(update_cooperative)
        .service(archive_cooperative)
        .service(set_cooperative_status_override)
        .service(clear_cooperative_status_override);
}

/// Register a cooperative.
///
/// Validates every field (each broken rule is listed in the 422), derives the kecamatan from the
/// kelurahan, and computes the activity status (no annual report yet: `tidak_aktif`). With an
/// `Idempotency-Key`, a retry with the same body returns the first response and creates nothing.
#[utoipa::path(
    tag = "cooperatives",
    request_body = CreateCooperative,
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry: 1 to 255 visible ASCII characters, unique per request. A retry with the same key and the byte-identical body returns the first response (with `Idempotent-Replayed: true`); the same key with another body is a 422.", pattern = "^[!-~]{1,255}$"),
    ),
    responses(
        (status = 201, description = "Registered.", body = Cooperative,
            headers(("Location" = String, description = "URL of the new cooperative."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[post("/cooperatives")]
pub async fn create_cooperative(allowed: Allowed, body: CreateBody<CreateCooperative>) -> Reply {
    created(cooperatives::create(&allowed, body.idempotency, body.value).await?)
}

/// List cooperatives.
///
/// Filters, sorting and pagination as documented on each parameter; archived records appear only
/// with `include_archived=true`.
#[utoipa::path(
    tag = "cooperatives",
    params(CooperativeQuery),
    responses(
        (status = 200, description = "One page of cooperatives.", body = Page<Cooperative>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/cooperatives")]
pub async fn list_cooperatives(allowed: Allowed, query: QueryParams<CooperativeQuery>) -> Reply {
    ok(cooperatives::list(&allowed, query.0).await?)
}

/// Read a cooperative.
///
/// With its board, its derived kecamatan and its activity status; the `ETag` is its version.
/// An archived cooperative is a 404 unless `include_archived=true`.
#[utoipa::path(
    tag = "cooperatives",
    params(("id" = i64, Path, description = "The cooperative's id.", minimum = 1), IncludeArchivedQuery),
    responses(
        (status = 200, description = "The cooperative.", body = Cooperative,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/cooperatives/{id}")]
pub async fn get_cooperative(
    allowed: Allowed,
    id: web::Path<CooperativeId>,
    query: QueryParams<IncludeArchivedQuery>,
) -> Reply {
    tagged(cooperatives::get(&allowed, *id, query.0).await?)
}

/// Change a cooperative.
///
/// Partial update: absent fields stay, `null` clears an optional field, `board_members` replaces
/// the board. The result must satisfy every rule as a whole. Send the `ETag` you read as
/// `If-Match` to be sure nobody changed the record in between (412 otherwise).
#[utoipa::path(
    tag = "cooperatives",
    request_body = PatchCooperative,
    params(
        ("id" = i64, Path, description = "The cooperative's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; the change is refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The changed cooperative.", body = Cooperative,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[patch("/cooperatives/{id}")]
pub async fn update_cooperative(
    allowed: Allowed,
    id: web::Path<CooperativeId>,
    if_match: Precondition,
    body: JsonBody<PatchCooperative>,
) -> Reply {
    tagged(cooperatives::update(&allowed, *id, if_match.0, body.value).await?)
}

/// Archive a cooperative.
///
/// The record is kept (the office must keep it) but disappears from lists and reads unless
/// `include_archived=true` is given. Archiving twice is a 404.
#[utoipa::path(
    tag = "cooperatives",
    params(
        ("id" = i64, Path, description = "The cooperative's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 204, description = "Archived."),
    ),
)]
#[delete("/cooperatives/{id}")]
pub async fn archive_cooperative(
    allowed: Allowed,
    id: web::Path<CooperativeId>,
    if_match: Precondition,
) -> Reply {
    cooperatives::archive(&allowed, *id, if_match.0).await?;
    no_content()
}

/// Override a cooperative's activity status.
///
/// The override wins over the computed status until it is cleared; the reason is required and
/// shown with the record. The computed status keeps being recomputed underneath.
#[utoipa::path(
    tag = "cooperatives",
    request_body = StatusOverrideInput,
    params(
        ("id" = i64, Path, description = "The cooperative's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The cooperative with the override in force.", body = Cooperative,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[put("/cooperatives/{id}/status-override")]
pub async fn set_cooperative_status_override(
    allowed: Allowed,
    id: web::Path<CooperativeId>,
    if_match: Precondition,
    body: JsonBody<StatusOverrideInput>,
) -> Reply {
    tagged(cooperatives::set_status_override(&allowed, *id, if_match.0, body.value).await?)
}

/// Clear the override of a cooperative's activity status.
///
/// The computed status applies again. Clearing when no override is set changes nothing.
#[utoipa::path(
    tag = "cooperatives",
    params(
        ("id" = i64, Path, description = "The cooperative's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The cooperative with its computed status in force.", body = Cooperative,
            headers(("ETag" = String, description = "Its version."))),
    ),
)]
#[delete("/cooperatives/{id}/status-override")]
pub async fn clear_cooperative_status_override(
    allowed: Allowed,
    id: web::Path<CooperativeId>,
    if_match: Precondition,
) -> Reply {
    tagged(cooperatives::clear_status_override(&allowed, *id, if_match.0).await?)
}
