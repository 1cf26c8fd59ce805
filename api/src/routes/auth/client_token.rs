//! Integration clients' tokens: the OAuth 2.0 client-credentials grant.

use actix_web::{HttpRequest, HttpResponse, post, web};
use klinik_domain::accounts::{format_scopes, parse_scopes};
use klinik_persistence::{clients, sessions};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{TokenResponse, check_lockout, principal_key};
use crate::audit::AuditContext;
use crate::auth::passwords;
use crate::auth::tokens::Subject;
use crate::extract::{RawBody, form_body};
use crate::problem::{ApiError, responses};
use crate::state::AppState;

/// The only grant this endpoint serves.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub enum GrantType {
    #[schema(rename = "client_credentials")]
    ClientCredentials,
}

/// The client-credentials grant (RFC 6749 §4.4), form-encoded.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"grant_type": "client_credentials", "client_id": "kc_3f9a…", "client_secret": "…"}))]
pub struct ClientCredentials {
    /// Must be `client_credentials`.
    #[schema(value_type = GrantType)]
    pub grant_type: String,
    /// The client's id (or send id and secret with HTTP Basic authentication).
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// Space-separated scopes to narrow the token to; default: all the client holds.
    pub scope: Option<String>,
}

fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    use base64::Engine;
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// Get an access token for an integration client.
///
/// OAuth 2.0 client-credentials grant (RFC 6749 §4.4), form-encoded; the client id and secret go in
/// the form or in HTTP Basic authentication. The token carries the client's scopes (or the subset
/// asked for in `scope`) and lives 15 minutes. Five failures for one client id within 15 minutes
/// lock it: 429 with `Retry-After`.
#[utoipa::path(
    operation_id = "issue_client_token",
    tag = "auth",
    request_body(content = ClientCredentials, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "An access token for the client.", body = TokenResponse),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 429, response = responses::TooManyRequests),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/auth/token")]
pub async fn issue_client_token(
    state: web::Data<AppState>,
    request: HttpRequest,
    audit: AuditContext,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    let form: ClientCredentials = form_body(&request, &body.0)?;
    if form.grant_type != "client_credentials" {
        return Err(ApiError::BadRequest {
            code: "unsupported_grant_type",
            detail: "Only grant_type=client_credentials is supported here; people sign in at /api/v1/auth/login.".into(),
            errors: Vec::new(),
        });
    }
    let (client_id, secret) = match (
        basic_credentials(&request),
        form.client_id,
        form.client_secret,
    ) {
        (Some(basic), _, _) => basic,
        (None, Some(id), Some(secret)) => (id, secret),
        _ => {
            return Err(ApiError::Unauthorized {
                code: "invalid_client",
                detail: "The client credentials are not correct.".into(),
            });
        }
    };
    let principal = principal_key("client", &client_id);
    let lookup_principal = principal.clone();
    let lookup_id = client_id.clone();
    let client = state
        .read(move |conn| {
            check_lockout(conn, &lookup_principal)?;
            Ok(clients::find_by_client_id(conn, &lookup_id)?)
        })
        .await?;
    let stored = client
        .as_ref()
        .map_or(state.decoy_hash.as_str().to_owned(), |c| {
            c.secret_hash.clone()
        });
    let verified = web::block(move || passwords::verify(&secret, &stored))
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let requested = form.scope;
    let state2 = state.clone();
    let outcome = state
        .write(move |conn| match client.filter(|c| verified && c.active) {
            None => {
                sessions::record_failure(conn, &principal)?;
                audit.record(
                    conn,
                    "sign_in_failed",
                    "client",
                    None,
                    Some(serde_json::json!({"client_id": client_id})),
                )?;
                Ok(None)
            }
            Some(client) => {
                sessions::clear_failures(conn, &principal)?;
                let held = parse_scopes(&client.scopes);
                let granted: Vec<_> = match &requested {
                    Some(asked) => parse_scopes(asked)
                        .into_iter()
                        .filter(|s| held.contains(s))
                        .collect(),
                    None => held,
                };
                let scope = format_scopes(&granted);
                let (access_token, expires_in) =
                    state2
                        .tokens
                        .issue(Subject::Client(client.id), None, Some(scope.clone()))?;
                audit.as_client(client.id, &client.client_id).record(
                    conn,
                    "sign_in",
                    "client",
                    Some(client.id.to_string()),
                    None,
                )?;
                Ok(Some(TokenResponse {
                    access_token,
                    token_type: "Bearer".into(),
                    expires_in,
                    refresh_token: None,
                    scope: Some(scope),
                }))
            }
        })
        .await?;
    let tokens = outcome.ok_or(ApiError::Unauthorized {
        code: "invalid_client",
        detail: "The client credentials are not correct.".into(),
    })?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(tokens))
}
