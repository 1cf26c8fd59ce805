//! Partner institutions: `/api/v1/partners`.

use klinik_app::clinic::partners::{
    self, CreatePartner, Partner, PartnerEntity, PartnerQuery, PatchPartner,
};
use klinik_app::registry::cooperatives::query::IncludeArchivedQuery;
use klinik_app::versioned;

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_partner)
        .service(list_partners)
        .service(get_partner)
        .service(update_partner)
        .service(archive_partner);
}

/// Register a partner institution.
///
/// Universities, banks, rural banks (BPR), the cooperative council (Dekopinda), associations and
/// government units that lend experts, fund programmes or finance the clinic's subjects.
#[utoipa::path(
    tag = "programmes and people",
    request_body = CreatePartner,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see `create_cooperative`).", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Registered.", body = Partner,
            headers(("Location" = String, description = "URL of the new partner."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[post("/partners")]
pub async fn create_partner(allowed: Allowed, body: CreateBody<CreatePartner>) -> Reply {
    created(partners::create(&allowed, body.idempotency, body.value).await?)
}

/// List partner institutions, by name.
#[utoipa::path(
    tag = "programmes and people",
    params(PartnerQuery),
    responses(
        (status = 200, description = "One page of partners.", body = Page<Partner>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/partners")]
pub async fn list_partners(allowed: Allowed, query: QueryParams<PartnerQuery>) -> Reply {
    ok(partners::list(&allowed, query.0).await?)
}

/// Read a partner institution.
#[utoipa::path(
    tag = "programmes and people",
    params(("id" = i64, Path, description = "The partner's id.", minimum = 1), IncludeArchivedQuery),
    responses(
        (status = 200, description = "The partner.", body = Partner,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/partners/{id}")]
pub async fn get_partner(
    allowed: Allowed,
    id: web::Path<PartnerId>,
    query: QueryParams<IncludeArchivedQuery>,
) -> Reply {
    tagged(partners::get(&allowed, *id, query.0).await?)
}

/// Change a partner institution.
///
/// Absent fields stay. Send the `ETag` you read as `If-Match` (412 if it changed since).
#[utoipa::path(
    tag = "programmes and people",
    request_body = PatchPartner,
    params(
        ("id" = i64, Path, description = "The partner's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The changed partner.", body = Partner,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[patch("/partners/{id}")]
pub async fn update_partner(
    allowed: Allowed,
    id: web::Path<PartnerId>,
    if_match: Precondition,
    body: JsonBody<PatchPartner>,
) -> Reply {
    tagged(partners::update(&allowed, *id, if_match.0, body.value).await?)
}

/// Archive a partner institution.
///
/// Kept for the record (programmes and experts still name it) but gone from lists and reads
/// unless `include_archived=true`. Archiving twice is a 404.
#[utoipa::path(
    tag = "programmes and people",
    params(
        ("id" = i64, Path, description = "The partner's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 204, description = "Archived."),
    ),
)]
#[delete("/partners/{id}")]
pub async fn archive_partner(
    allowed: Allowed,
    id: web::Path<PartnerId>,
    if_match: Precondition,
) -> Reply {
    versioned::archive_in_transaction::<PartnerEntity>(&allowed, *id, if_match.0).await?;
    no_content()
}
