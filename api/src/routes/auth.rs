//! Sign-in for people (password and refresh tokens) and for integration clients (client
//! credentials), and one's own account: `/api/v1/auth`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use klinik_app::App;
use klinik_app::auth::sign_in::{
    self, ChangePassword, ClientCredentials as Credentials, LoginRequest, Me, RefreshRequest,
    TokenResponse, invalid_client,
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Public;
use crate::extract::{RawBody, form_body};
use crate::routes::prelude::*;
use crate::routes::token_errors::responses::*;
use crate::routes::token_errors::{TokenError, unsupported_grant_type};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(login)
        .service(refresh_token)
        .service(logout)
        .service(issue_client_token)
        .service(get_me)
        .service(change_password);
}

/// Tokens are never cached by a browser or proxy.
fn tokens(body: TokenResponse) -> Reply {
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body))
}

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

/// Sign in with a username and password.
///
/// Returns a 15-minute access token and a 30-day refresh token. An unknown username, a wrong
/// password and a deactivated account get the same 401. Five failures for one username from one
/// client address within 15 minutes lock that pair: 429 with `Retry-After`. Each address may try
/// 10 sign-ins a minute (shared with the token endpoint; `KLINIK_SIGN_IN_PER_MINUTE`), then 429
/// with `Retry-After` and `RateLimit` headers.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in.", body = TokenResponse),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 429, response = responses::TooManyRequests),
    ),
)]
#[post("/auth/login")]
pub async fn login(origin: Public, app: web::Data<App>, body: JsonBody<LoginRequest>) -> Reply {
    tokens(sign_in::login(&app, &origin.0, body.value).await?)
}

/// Exchange a refresh token for new tokens.
///
/// The refresh token is used up: the answer carries a new one. Presenting a refresh token that was
/// already exchanged revokes its whole session (it was probably stolen).
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens.", body = TokenResponse),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
    ),
)]
#[post("/auth/refresh")]
pub async fn refresh_token(
    origin: Public,
    app: web::Data<App>,
    body: JsonBody<RefreshRequest>,
) -> Reply {
    tokens(sign_in::refresh(&app, &origin.0, body.value).await?)
}

/// Sign out: revoke a session.
///
/// Revokes the session of the given refresh token, and with it every access token issued in it.
/// Answers 204 whether or not the token was known.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "The session is revoked."),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[post("/auth/logout")]
pub async fn logout(origin: Public, app: web::Data<App>, body: JsonBody<RefreshRequest>) -> Reply {
    sign_in::logout(&app, &origin.0, body.value).await?;
    no_content()
}

/// Get an access token for an integration client.
///
/// OAuth 2.0 client-credentials grant (RFC 6749 §4.4), form-encoded; the client id and secret go in
/// the form or in HTTP Basic authentication. The token carries the client's scopes (or the subset
/// asked for in `scope`) and lives 15 minutes. Five failures for one client id from one address
/// within 15 minutes lock that pair: 429 with `Retry-After`; the per-address sign-in rate applies
/// too (see `login`). Errors carry RFC 6749 §5.2's `error` and `error_description` next to the
/// problem members, so OAuth 2.0 client libraries read them.
#[utoipa::path(
    tag = "auth",
    request_body(content = ClientCredentials, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "An access token for the client.", body = TokenResponse),
        (status = 400, response = TokenBadRequest),
        (status = 401, response = TokenUnauthorized),
        (status = 415, response = TokenUnsupportedMediaType),
        (status = 429, response = TokenTooManyRequests),
    ),
)]
#[post("/auth/token")]
pub async fn issue_client_token(
    origin: Public,
    app: web::Data<App>,
    request: HttpRequest,
    body: RawBody,
) -> Result<HttpResponse, TokenError> {
    let form: ClientCredentials = form_body(&request, &body.0)?;
    if form.grant_type != "client_credentials" {
        return Err(unsupported_grant_type());
    }
    let (client_id, secret) = match (
        basic_credentials(&request),
        form.client_id,
        form.client_secret,
    ) {
        (Some(basic), _, _) => basic,
        (None, Some(id), Some(secret)) => (id, secret),
        _ => return Err(invalid_client().into()),
    };
    let credentials = Credentials {
        client_id,
        secret,
        scope: form.scope,
    };
    let issued = sign_in::issue_client_token(&app, &origin.0, credentials).await?;
    Ok(tokens(issued)?)
}

/// Who am I?
///
/// The account the access token belongs to, with its role (people) or scopes (clients).
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "The signed-in account.", body = Me),
    ),
)]
#[get("/auth/me")]
pub async fn get_me(allowed: Allowed) -> Reply {
    ok::<Me>(sign_in::me(&allowed))
}

/// Change my password.
///
/// Needs the current password. All of the account's sessions end, this one included: sign in again
/// with the new password.
#[utoipa::path(
    tag = "auth",
    request_body = ChangePassword,
    responses(
        (status = 204, description = "Changed; every session of the account is revoked."),
        (status = 400, response = responses::BadRequest),
        (status = 429, response = responses::TooManyRequests),
    ),
)]
#[post("/auth/change-password")]
pub async fn change_password(allowed: Allowed, body: JsonBody<ChangePassword>) -> Reply {
    sign_in::change_password(&allowed, body.value).await?;
    no_content()
}
