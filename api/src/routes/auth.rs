//! Sign-in for people (password + refresh tokens) and for integration clients (client credentials).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{Duration, NaiveDateTime};
use klinik_domain::accounts::{self, format_scopes, parse_scopes};
use klinik_persistence::users::UserChanges;
use klinik_persistence::{AnyConnection, clients, sessions, users};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::audit::AuditContext;
use crate::auth::tokens::Subject;
use crate::auth::{Caller, passwords};
use crate::extract::{JsonBody, RawBody, form_body};
use crate::problem::{ApiError, responses};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(login)
        .service(refresh_token)
        .service(logout)
        .service(issue_client_token)
        .service(get_me)
        .service(change_password);
}

/// Failed sign-ins allowed per account within [`LOCKOUT_MINUTES`].
pub const MAX_FAILURES: usize = 5;
pub const LOCKOUT_MINUTES: i64 = 15;
/// Life of a refresh token.
pub const REFRESH_TOKEN_DAYS: i64 = 30;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "siti", "password": "a long pass phrase"}))]
pub struct LoginRequest {
    #[schema(min_length = 1, max_length = 64)]
    pub username: String,
    #[schema(min_length = 1, max_length = 256)]
    pub password: String,
}

/// An OAuth 2.0 token response (RFC 6749 §5.1).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…", "token_type": "Bearer",
    "expires_in": 900, "refresh_token": "5f0c…"}))]
pub struct TokenResponse {
    /// A JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires (at most 900).
    pub expires_in: i64,
    /// For people: exchange it at `/api/v1/auth/refresh` for new tokens; usable once, 30 days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// For clients: the scopes the token carries, space-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// The length bounds the contract states for a credential field.
fn check_length(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    let length = value.chars().count();
    if length == 0 || length > max {
        return Err(ApiError::validation(
            field,
            "invalid_length",
            &format!("must be 1 to {max} characters"),
        ));
    }
    Ok(())
}

fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized {
        code: "invalid_credentials",
        detail: "The username or password is not correct.".into(),
    }
}

fn principal_key(kind: &str, name: &str) -> String {
    format!("{kind}:{}", name.to_lowercase())
}

/// 429 while `principal` has too many recent failures.
fn check_lockout(conn: &mut AnyConnection, principal: &str) -> Result<(), ApiError> {
    let now = klinik_persistence::now_utc();
    let window_start = now - Duration::minutes(LOCKOUT_MINUTES);
    let failures = sessions::failures_since(conn, principal, window_start)?;
    if failures.len() >= MAX_FAILURES {
        let frees_at: NaiveDateTime =
            failures[failures.len() - MAX_FAILURES] + Duration::minutes(LOCKOUT_MINUTES);
        let retry_after_seconds = (frees_at - now).num_seconds().max(1) as u64;
        return Err(ApiError::TooManyRequests {
            retry_after_seconds,
        });
    }
    Ok(())
}

/// Starts or continues a session: a new refresh token in `family`, and an access token for it.
fn issue_user_tokens(
    state: &AppState,
    conn: &mut AnyConnection,
    user_id: i64,
    family: &str,
) -> Result<TokenResponse, ApiError> {
    let refresh = passwords::random_hex(32)?;
    let expires_at = klinik_persistence::now_utc() + Duration::days(REFRESH_TOKEN_DAYS);
    sessions::insert(
        conn,
        &passwords::token_hash(&refresh),
        family,
        user_id,
        expires_at,
    )?;
    let (access_token, expires_in) =
        state
            .tokens
            .issue(Subject::User(user_id), Some(family.to_owned()), None)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in,
        refresh_token: Some(refresh),
        scope: None,
    })
}

/// Sign in with a username and password.
///
/// Returns a 15-minute access token and a 30-day refresh token. An unknown username, a wrong
/// password and a deactivated account get the same 401. Five failures for one username within 15
/// minutes lock it: 429 with `Retry-After`.
#[utoipa::path(
    operation_id = "login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in.", body = TokenResponse),
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
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    audit: AuditContext,
    body: JsonBody<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { username, password } = body.value;
    check_length("username", &username, 64)?;
    check_length("password", &password, 256)?;
    let principal = principal_key("user", &username);
    let lookup_name = username.clone();
    let lookup_principal = principal.clone();
    let user = state
        .read(move |conn| {
            check_lockout(conn, &lookup_principal)?;
            Ok(users::find_by_username(conn, &lookup_name)?)
        })
        .await?;
    // Verify against a decoy when the username is unknown, so both take the same time.
    let stored = user
        .as_ref()
        .map_or(state.decoy_hash.as_str().to_owned(), |u| {
            u.password_hash.clone()
        });
    let verified = web::block(move || passwords::verify(&password, &stored))
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let state2 = state.clone();
    let outcome = state
        .write(move |conn| match user.filter(|u| verified && u.active) {
            None => {
                sessions::record_failure(conn, &principal)?;
                audit.record(
                    conn,
                    "sign_in_failed",
                    "user",
                    None,
                    Some(serde_json::json!({"username": username})),
                )?;
                Ok(None)
            }
            Some(user) => {
                sessions::clear_failures(conn, &principal)?;
                let family = uuid::Uuid::new_v4().to_string();
                let tokens = issue_user_tokens(&state2, conn, user.id, &family)?;
                audit.as_user(user.id, &user.username, &user.role).record(
                    conn,
                    "sign_in",
                    "user",
                    Some(user.id.to_string()),
                    None,
                )?;
                Ok(Some(tokens))
            }
        })
        .await?;
    let tokens = outcome.ok_or_else(invalid_credentials)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(tokens))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "5f0c…"}))]
pub struct RefreshRequest {
    #[schema(min_length = 1, max_length = 200)]
    pub refresh_token: String,
}

fn invalid_grant() -> ApiError {
    ApiError::Unauthorized {
        code: "invalid_grant",
        detail: "The refresh token is not valid.".into(),
    }
}

/// Exchange a refresh token for new tokens.
///
/// The refresh token is used up: the answer carries a new one. Presenting a refresh token that was
/// already exchanged revokes its whole session (it was probably stolen).
#[utoipa::path(
    operation_id = "refresh_token",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens.", body = TokenResponse),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/auth/refresh")]
pub async fn refresh_token(
    state: web::Data<AppState>,
    audit: AuditContext,
    body: JsonBody<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    check_length("refresh_token", &body.value.refresh_token, 200)?;
    let hash = passwords::token_hash(&body.value.refresh_token);
    let state2 = state.clone();
    let outcome = state
        .write(move |conn| {
            let Some(token) = sessions::find_by_hash(conn, &hash)? else {
                return Ok(None);
            };
            let now = klinik_persistence::now_utc();
            if token.revoked_at.is_some() || token.expires_at <= now {
                return Ok(None);
            }
            if token.rotated_at.is_some() || !sessions::mark_rotated(conn, token.id)? {
                sessions::revoke_family(conn, &token.family)?;
                audit.record(
                    conn,
                    "refresh_token_reused",
                    "session",
                    Some(token.family.clone()),
                    None,
                )?;
                return Ok(None);
            }
            let user = users::find(conn, token.user_id)?;
            if !user.active {
                return Ok(None);
            }
            Ok(Some(issue_user_tokens(
                &state2,
                conn,
                user.id,
                &token.family,
            )?))
        })
        .await?;
    // A reuse must revoke even though the answer is an error: the write above commits first.
    let tokens = outcome.ok_or_else(invalid_grant)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(tokens))
}

/// Sign out: revoke a session.
///
/// Revokes the session of the given refresh token, and with it every access token issued in it.
/// Answers 204 whether or not the token was known.
#[utoipa::path(
    operation_id = "logout",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "The session is revoked."),
        (status = 400, response = responses::BadRequest),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    audit: AuditContext,
    body: JsonBody<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    check_length("refresh_token", &body.value.refresh_token, 200)?;
    let hash = passwords::token_hash(&body.value.refresh_token);
    state
        .write(move |conn| {
            if let Some(token) = sessions::find_by_hash(conn, &hash)?
                && sessions::revoke_family(conn, &token.family)? > 0
            {
                let user = users::find(conn, token.user_id)?;
                audit.as_user(user.id, &user.username, &user.role).record(
                    conn,
                    "sign_out",
                    "session",
                    Some(token.family),
                    None,
                )?;
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
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

/// The signed-in account.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"kind": "user", "id": 1, "name": "siti", "display_name": "Siti Aminah", "role": "officer", "scopes": []}))]
pub struct Me {
    /// `user` or `client`.
    pub kind: String,
    pub id: i64,
    /// Username, or the client id.
    pub name: String,
    pub display_name: String,
    #[schema(value_type = klinik_domain::accounts::Role)]
    pub role: String,
    /// A client's scopes; empty for people.
    #[schema(value_type = Vec<klinik_domain::accounts::Scope>)]
    pub scopes: Vec<String>,
}

/// Who am I?
///
/// The account the access token belongs to, with its role (people) or scopes (clients).
#[utoipa::path(
    operation_id = "get_me",
    tag = "auth",
    responses(
        (status = 200, description = "The signed-in account.", body = Me),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/auth/me")]
pub async fn get_me(caller: Caller) -> HttpResponse {
    let me = match caller {
        Caller::User {
            id,
            username,
            display_name,
            role,
            ..
        } => Me {
            kind: "user".into(),
            id,
            name: username,
            display_name,
            role: role.as_str().into(),
            scopes: Vec::new(),
        },
        Caller::Client {
            id,
            client_id,
            name,
            scopes,
        } => Me {
            kind: "client".into(),
            id,
            name: client_id,
            display_name: name,
            role: "integration".into(),
            scopes: scopes.iter().map(|s| s.as_str().to_owned()).collect(),
        },
    };
    HttpResponse::Ok().json(me)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "the old pass phrase", "new_password": "a new long pass phrase"}))]
pub struct ChangePassword {
    #[schema(min_length = 1, max_length = 256)]
    pub current_password: String,
    /// At least 12 characters, not the username.
    #[schema(min_length = 12, max_length = 256)]
    pub new_password: String,
}

/// Change my password.
///
/// Needs the current password. All of the account's sessions end, this one included: sign in again
/// with the new password.
#[utoipa::path(
    operation_id = "change_password",
    tag = "auth",
    request_body = ChangePassword,
    responses(
        (status = 204, description = "Changed; every session of the account is revoked."),
        (status = 400, response = responses::BadRequest),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/auth/change-password")]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    audit: AuditContext,
    body: JsonBody<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    let Caller::User { id, .. } = caller else {
        return Err(ApiError::Forbidden {
            detail: "Clients have no password.".into(),
        });
    };
    let ChangePassword {
        current_password,
        new_password,
    } = body.value;
    check_length("current_password", &current_password, 256)?;
    let user = state.read(move |conn| Ok(users::find(conn, id)?)).await?;
    accounts::password("new_password", &new_password, &user.username)
        .map_err(klinik_domain::Violations::from)?;
    let stored = user.password_hash.clone();
    let (verified, new_hash) = web::block(move || {
        (
            passwords::verify(&current_password, &stored),
            passwords::hash(&new_password),
        )
    })
    .await
    .map_err(|e| ApiError::internal(&e))?;
    if !verified {
        return Err(ApiError::validation(
            "current_password",
            "wrong_password",
            "is not the current password",
        ));
    }
    let new_hash = new_hash?;
    state
        .write(move |conn| {
            let changes = UserChanges {
                password_hash: Some(new_hash),
                ..UserChanges::default()
            };
            users::update(conn, id, user.version, &changes)?;
            sessions::revoke_user(conn, id)?;
            audit.record(
                conn,
                "change_password",
                "user",
                Some(id.to_string()),
                Some(serde_json::json!({"password": {"before": "***", "after": "***"}})),
            )?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
