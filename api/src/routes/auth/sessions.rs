//! People's sessions: sign in, refresh, sign out.

use actix_web::{HttpResponse, post, web};
use chrono::Duration;
use klinik_persistence::{AnyConnection, sessions, users};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    REFRESH_TOKEN_DAYS, TokenResponse, check_length, check_lockout, invalid_credentials,
    principal_key,
};
use crate::audit::AuditContext;
use crate::auth::passwords;
use crate::auth::tokens::Subject;
use crate::extract::JsonBody;
use crate::problem::{ApiError, responses};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "siti", "password": "a long pass phrase"}))]
pub struct LoginRequest {
    #[schema(min_length = 1, max_length = 64)]
    pub username: String,
    #[schema(min_length = 1, max_length = 256)]
    pub password: String,
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
