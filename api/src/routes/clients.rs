//! Admin management of integration clients (other government systems).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use klinik_domain::accounts::{Scope, format_scopes, parse_scopes};
use klinik_domain::{Violation, Violations, text};
use klinik_persistence::clients::{self as store, ClientChanges, ClientRow, NewClient};
use klinik_persistence::{AnyConnection, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::cooperatives::dto::utc;
use super::regions::PageQuery;
use super::{Page, PageRequest, with_etag};
use crate::audit::{AuditContext, diff};
use crate::auth::passwords;
use crate::extract::{IfMatch, JsonBody, QueryParams, etag, nullable, present};
use crate::problem::{ApiError, responses};
use crate::routes::created::Created;
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_client)
        .service(list_clients)
        .service(get_client)
        .service(update_client)
        .service(rotate_client_secret);
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "SIPD Kota Bogor", "scopes": ["registry:read", "indicators:read"]}))]
pub struct CreateClient {
    /// Which system this is.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub name: String,
    /// What it may do; write scopes only when granted here.
    #[schema(min_items = 1, max_items = 6)]
    pub scopes: Vec<Scope>,
    /// The partner institution (a bank or BPR) the system speaks for: a bank's client with
    /// `capital:write` reports capital on that bank's recommendations only.
    #[schema(minimum = 1)]
    pub partner_id: Option<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct PatchClient {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<Scope>, min_items = 1, max_items = 6)]
    pub scopes: Option<Vec<Scope>>,
    /// `null` unlinks the partner.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub partner_id: Option<Option<i64>>,
    /// An inactive client's tokens stop working at once.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub active: Option<bool>,
}

/// An integration client (never its secret).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "client_id": "kc_3f9a0c1d2e4b5a69", "name": "SIPD Kota Bogor",
    "scopes": ["indicators:read", "registry:read"], "partner_id": null, "active": true, "version": 1,
    "created_at": "2026-11-28T10:00:00Z", "updated_at": "2026-11-28T10:00:00Z"}))]
pub struct Client {
    pub id: i64,
    /// The public identifier it signs in with.
    pub client_id: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    /// The partner institution it speaks for, if any.
    pub partner_id: Option<i64>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A client with its secret: shown once, at creation or rotation, and never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientWithSecret {
    #[serde(flatten)]
    pub client: Client,
    /// Keep it safe: it cannot be shown again (rotate it if lost).
    pub client_secret: String,
}

impl From<ClientRow> for Client {
    fn from(row: ClientRow) -> Self {
        Client {
            id: row.id,
            client_id: row.client_id,
            name: row.name,
            scopes: parse_scopes(&row.scopes),
            partner_id: row.partner_id,
            active: row.active,
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

fn check(name: Option<&str>, scopes: Option<&[Scope]>) -> Result<(), Violations> {
    let mut violations = Violations::default();
    if let Some(name) = name {
        violations.check(text::single_line("name", name, 200));
    }
    if scopes.is_some_and(|s| s.is_empty()) {
        violations.push(Violation::new(
            "scopes",
            "scopes_required",
            "at least one scope",
        ));
    }
    if scopes.is_some_and(|s| s.len() > Scope::ALL.len()) {
        violations.push(Violation::new(
            "scopes",
            "too_many_items",
            "at most 6 scopes",
        ));
    }
    violations.into_result()
}

/// A partner id is at least 1, as the contract says (422 before any stored state is read).
fn check_partner_id(partner_id: Option<i64>) -> Result<(), ApiError> {
    if partner_id.is_some_and(|id| id < 1) {
        return Err(ApiError::validation(
            "partner_id",
            "minimum",
            "must be at least 1",
        ));
    }
    Ok(())
}

/// A linked partner must exist and not be archived (422).
fn check_partner(conn: &mut AnyConnection, partner_id: Option<i64>) -> Result<(), ApiError> {
    if let Some(id) = partner_id {
        klinik_persistence::clinic::partners::find(conn, id, false).map_err(|e| match e {
            StoreError::NotFound => ApiError::validation(
                "partner_id",
                "unknown_partner",
                "is not a partner (or it is archived)",
            ),
            other => other.into(),
        })?;
    }
    Ok(())
}

async fn new_secret() -> Result<(String, String), ApiError> {
    let secret = passwords::random_hex(32)?;
    let for_hash = secret.clone();
    let hash = web::block(move || passwords::hash(&for_hash))
        .await
        .map_err(|e| ApiError::internal(&e))??;
    Ok((secret, hash))
}

/// Register an integration client.
///
/// Answers with the client and its secret, shown this once.
#[utoipa::path(
    operation_id = "create_client",
    tag = "clients",
    request_body = CreateClient,
    responses(
        (status = 201, description = "Registered; the secret is in the body, this once.", body = ClientWithSecret,
            headers(("Location" = String, description = "URL of the client."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/clients")]
pub async fn create_client(
    state: web::Data<AppState>,
    audit: AuditContext,
    body: JsonBody<CreateClient>,
) -> Result<HttpResponse, ApiError> {
    let input = body.value;
    check(Some(&input.name), Some(&input.scopes))?;
    check_partner_id(input.partner_id)?;
    let (secret, hash) = new_secret().await?;
    let new = NewClient {
        client_id: format!("kc_{}", passwords::random_hex(8)?),
        name: input.name,
        scopes: format_scopes(&input.scopes),
        secret_hash: hash,
        active: true,
        partner_id: input.partner_id,
    };
    let created = state
        .write(move |conn| {
            check_partner(conn, new.partner_id)?;
            let client = Client::from(store::insert(conn, &new)?);
            audit.record(
                conn,
                "create",
                "client",
                Some(client.id.to_string()),
                Some(diff::<Client, Client>(None, Some(&client), &[])),
            )?;
            let location = format!("/api/v1/clients/{}", client.id);
            let version = client.version;
            Created::new(
                &ClientWithSecret {
                    client,
                    client_secret: secret,
                },
                location,
                etag(version),
            )
        })
        .await?;
    let mut response = created.into_response(false);
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// List integration clients.
#[utoipa::path(
    operation_id = "list_clients",
    tag = "clients",
    params(PageQuery),
    responses(
        (status = 200, description = "One page of clients.", body = Page<Client>),
        (status = 400, response = responses::BadRequest),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/clients")]
pub async fn list_clients(
    state: web::Data<AppState>,
    query: QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::new(query.0.page, query.0.page_size)?;
    let (rows, total) = state
        .read(move |conn| Ok(store::list(conn, page.limit(), page.offset())?))
        .await?;
    Ok(HttpResponse::Ok().json(page.wrap(rows.into_iter().map(Client::from).collect(), total)))
}

/// Read an integration client.
///
/// Never shows the secret.
#[utoipa::path(
    operation_id = "get_client",
    tag = "clients",
    params(("id" = i64, Path, description = "The client's id.", minimum = 1)),
    responses(
        (status = 200, description = "The client.", body = Client, headers(("ETag" = String, description = "Its version."))),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/clients/{id}")]
pub async fn get_client(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let client = Client::from(
        state
            .read(move |conn| store::find(conn, id).map_err(ApiError::missing("Client")))
            .await?,
    );
    Ok(with_etag(StatusCode::OK, client.version, &client))
}

/// Change an integration client.
///
/// Name, scopes, active flag. Deactivating it ends its tokens at once; removed scopes stop
/// working at once.
#[utoipa::path(
    operation_id = "update_client",
    tag = "clients",
    request_body = PatchClient,
    params(
        ("id" = i64, Path, description = "The client's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the client has changed since."),
    ),
    responses(
        (status = 200, description = "The changed client.", body = Client, headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 412, response = responses::PreconditionFailed),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[patch("/clients/{id}")]
pub async fn update_client(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    audit: AuditContext,
    if_match: IfMatch,
    body: JsonBody<PatchClient>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.value;
    check(patch.name.as_deref(), patch.scopes.as_deref())?;
    check_partner_id(patch.partner_id.flatten())?;
    let client = state
        .write(move |conn| {
            let current = store::find(conn, id).map_err(ApiError::missing("Client"))?;
            if_match.check(current.version)?;
            let changes = ClientChanges {
                name: patch.name,
                scopes: patch.scopes.map(|s| format_scopes(&s)),
                active: patch.active,
                secret_hash: None,
                partner_id: patch.partner_id,
            };
            check_partner(conn, patch.partner_id.flatten())?;
            let updated = Client::from(store::update(conn, id, current.version, &changes)?);
            let before = Client::from(current);
            audit.record(
                conn,
                "update",
                "client",
                Some(id.to_string()),
                Some(diff(Some(&before), Some(&updated), &[])),
            )?;
            Ok(updated)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, client.version, &client))
}

/// Issue a new secret for an integration client.
///
/// The old secret stops working at once; the new one is in the body, this once. Tokens already
/// issued keep working until they expire (15 minutes at most).
#[utoipa::path(
    operation_id = "rotate_client_secret",
    tag = "clients",
    params(("id" = i64, Path, description = "The client's id.", minimum = 1)),
    responses(
        (status = 200, description = "The client with its new secret.", body = ClientWithSecret),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/clients/{id}/secret")]
pub async fn rotate_client_secret(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    audit: AuditContext,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (secret, hash) = new_secret().await?;
    let client = state
        .write(move |conn| {
            let current = store::find(conn, id).map_err(ApiError::missing("Client"))?;
            let changes = ClientChanges {
                secret_hash: Some(hash),
                ..ClientChanges::default()
            };
            let updated = Client::from(store::update(conn, id, current.version, &changes)?);
            audit.record(
                conn,
                "rotate_secret",
                "client",
                Some(id.to_string()),
                Some(serde_json::json!({"client_secret": {"before": "***", "after": "***"}})),
            )?;
            Ok(updated)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .insert_header((actix_web::http::header::ETAG, etag(client.version)))
        .json(ClientWithSecret {
            client,
            client_secret: secret,
        }))
}
