//! Sign-in for people (password + refresh tokens) and for integration clients (client credentials),
//! and one's own account.

mod account;
mod client_token;
mod sessions;

use chrono::{Duration, NaiveDateTime};
use klinik_persistence::{AnyConnection, sessions as session_store};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::problem::ApiError;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(sessions::login)
        .service(sessions::refresh_token)
        .service(sessions::logout)
        .service(client_token::issue_client_token)
        .service(account::get_me)
        .service(account::change_password);
}

/// Failed sign-ins allowed per account within [`LOCKOUT_MINUTES`].
pub const MAX_FAILURES: usize = 5;
pub const LOCKOUT_MINUTES: i64 = 15;
/// Life of a refresh token.
pub const REFRESH_TOKEN_DAYS: i64 = 30;

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
pub(super) fn check_length(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
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

pub(super) fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized {
        code: "invalid_credentials",
        detail: "The username or password is not correct.".into(),
    }
}

pub(super) fn principal_key(kind: &str, name: &str) -> String {
    format!("{kind}:{}", name.to_lowercase())
}

/// 429 while `principal` has too many recent failures.
pub(super) fn check_lockout(conn: &mut AnyConnection, principal: &str) -> Result<(), ApiError> {
    let now = klinik_persistence::now_utc();
    let window_start = now - Duration::minutes(LOCKOUT_MINUTES);
    let failures = session_store::failures_since(conn, principal, window_start)?;
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
