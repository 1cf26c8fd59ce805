//! Admin management of integration clients (other government systems): `/api/v1/clients`.

use actix_web::HttpResponse;
use actix_web::http::header::{CACHE_CONTROL, ETAG, HeaderValue};
use klinik_app::accounts::clients::{self, Client, ClientWithSecret, CreateClient, PatchClient};
use klinik_app::versioned::etag;

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_client)
        .service(list_clients)
        .service(get_client)
        .service(update_client)
        .service(rotate_client_secret);
}

/// Register an integration client.
///
/// Answers with the client and its secret, shown this once.
#[utoipa::path(
    tag = "clients",
    request_body = CreateClient,
    responses(
        (status = 201, description = "Registered; the secret is in the body, this once.", body = ClientWithSecret,
            headers(("Location" = String, description = "URL of the client."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[post("/clients")]
pub async fn create_client(allowed: Allowed, body: JsonBody<CreateClient>) -> Reply {
    let mut response = created(clients::create(&allowed, body.value).await?)?;
    // The secret is shown this once.
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// List integration clients.
#[utoipa::path(
    tag = "clients",
    params(PageQuery),
    responses(
        (status = 200, description = "One page of clients.", body = Page<Client>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/clients")]
pub async fn list_clients(allowed: Allowed, query: QueryParams<PageQuery>) -> Reply {
    ok(clients::list(&allowed, query.0).await?)
}

/// Read an integration client.
///
/// Never shows the secret.
#[utoipa::path(
    tag = "clients",
    params(("id" = i64, Path, description = "The client's id.", minimum = 1)),
    responses(
        (status = 200, description = "The client.", body = Client, headers(("ETag" = String, description = "Its version."))),
    ),
)]
#[get("/clients/{id}")]
pub async fn get_client(allowed: Allowed, id: web::Path<ClientId>) -> Reply {
    tagged(clients::get(&allowed, *id).await?)
}

/// Change an integration client.
///
/// Name, scopes, active flag. Deactivating it ends its tokens at once; removed scopes stop
/// working at once.
#[utoipa::path(
    tag = "clients",
    request_body = PatchClient,
    params(
        ("id" = i64, Path, description = "The client's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the client has changed since."),
    ),
    responses(
        (status = 200, description = "The changed client.", body = Client, headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[patch("/clients/{id}")]
pub async fn update_client(
    allowed: Allowed,
    id: web::Path<ClientId>,
    if_match: Precondition,
    body: JsonBody<PatchClient>,
) -> Reply {
    tagged(clients::update(&allowed, *id, if_match.0, body.value).await?)
}

/// Issue a new secret for an integration client.
///
/// The old secret stops working at once; the new one is in the body, this once. Tokens already
/// issued keep working until they expire (15 minutes at most).
#[utoipa::path(
    tag = "clients",
    params(("id" = i64, Path, description = "The client's id.", minimum = 1)),
    responses(
        (status = 200, description = "The client with its new secret.", body = ClientWithSecret),
    ),
)]
#[post("/clients/{id}/secret")]
pub async fn rotate_client_secret(allowed: Allowed, id: web::Path<ClientId>) -> Reply {
    let rotated = clients::rotate_secret(&allowed, *id).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .insert_header((ETAG, etag(rotated.client.version)))
        .json(rotated))
}
