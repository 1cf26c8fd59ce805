//! Signing in: people with a password and refresh tokens, integration clients with the OAuth 2.0
//! client-credentials grant; the lockout after repeated failures; one's own account.

pub use super::client_token::issue_client_token;

use chrono::{Duration, NaiveDateTime};
use klinik_domain::accounts::{self, Role, Scope};
use klinik_persistence::users::UserChanges;
use klinik_persistence::{sessions, users};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::passwords;
use super::tokens::Subject;
use crate::audit::AuditContext;
use crate::context::Origin;
use crate::prelude::*;

/// How long a username (or client id) stays locked, from one address, after
/// `KLINIK_LOCKOUT_ATTEMPTS` failures from that address within this window.
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
    /// (Absent rather than null for clients, hence a plain string in the contract.)
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    pub refresh_token: Option<String>,
    /// For clients: the scopes the token carries, space-separated; absent for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    pub scope: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "siti", "password": "a long pass phrase"}))]
pub struct LoginRequest {
    #[schema(min_length = 1, max_length = 64)]
    pub username: String,
    #[schema(min_length = 1, max_length = 256)]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "5f0c…"}))]
pub struct RefreshRequest {
    #[schema(min_length = 1, max_length = 200)]
    pub refresh_token: String,
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
    pub role: Role,
    /// A client's scopes; empty for people.
    pub scopes: Vec<Scope>,
}

/// A client's credentials, from the token request's form or its HTTP Basic header.
#[derive(Debug)]
pub struct ClientCredentials {
    pub client_id: String,
    pub secret: String,
    /// Space-separated scopes to narrow the token to; default: all the client holds.
    pub scope: Option<String>,
}

/// The length bounds the contract states for a credential field.
pub fn check_length(field: &str, value: &str, max: usize) -> Result<(), Error> {
    let length = value.chars().count();
    if length == 0 || length > max {
        return Err(Error::validation(
            field,
            "invalid_length",
            msg!("must be 1 to %{max} characters", max = max),
        ));
    }
    Ok(())
}

fn invalid_credentials() -> Error {
    Error::Unauthorized {
        code: "invalid_credentials",
        detail: msg!("The username or password is not correct."),
    }
}

fn invalid_grant() -> Error {
    Error::Unauthorized {
        code: "invalid_grant",
        detail: msg!("The refresh token is not valid."),
    }
}

pub fn invalid_client() -> Error {
    Error::Unauthorized {
        code: "invalid_client",
        detail: msg!("The client credentials are not correct."),
    }
}

/// What failures are counted against: the account *and* the address trying it. Keyed by the
/// account alone, anyone who knows a username could lock its owner out from anywhere; keyed by
/// both, a guesser locks only themselves (and the per-address rate limit in front of sign-in
/// slows guessing across many accounts).
pub(super) fn principal_key(kind: &str, name: &str, origin: &Origin) -> String {
    let address = origin.client_address.as_deref().unwrap_or("unknown");
    format!("{kind}:{}@{address}", name.to_lowercase())
}

/// 429 while `principal` has `attempts` or more failures within the lockout window.
pub(super) fn check_lockout(
    conn: &mut AnyConnection,
    principal: &str,
    attempts: u32,
) -> Result<(), Error> {
    let attempts = attempts.max(1) as usize;
    let now = klinik_persistence::now_utc();
    let window_start = now - Duration::minutes(LOCKOUT_MINUTES);
    let failures = sessions::failures_since(conn, principal, window_start)?;
    if failures.len() >= attempts {
        let frees_at: NaiveDateTime =
            failures[failures.len() - attempts] + Duration::minutes(LOCKOUT_MINUTES);
        let retry_after_seconds = (frees_at - now).num_seconds().max(1) as u64;
        return Err(Error::TooManyRequests {
            retry_after_seconds,
            reason: TooMany::LockedOut,
        });
    }
    Ok(())
}

/// Verifies a password (or client secret) off the async workers: argon2 takes tens of
/// milliseconds and about 19 MiB by design, so only as many run at once as there are hashing
/// slots.
pub(super) async fn verify(app: &App, password: String, stored: String) -> Result<bool, Error> {
    app.hashing
        .run(move || passwords::verify(&password, &stored))
        .await
}

fn issue_user_tokens(
    app: &App,
    conn: &mut AnyConnection,
    user_id: UserId,
    family: &str,
) -> Result<TokenResponse, Error> {
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
        app.tokens
            .issue(Subject::User(user_id), Some(family.to_owned()), None)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in,
        refresh_token: Some(refresh),
        scope: None,
    })
}

/// Signs a person in: a 15-minute access token and a 30-day refresh token. Five failures (by
/// default) for one username from one address within 15 minutes lock that pair (429).
pub async fn login(app: &App, origin: &Origin, body: LoginRequest) -> Result<TokenResponse, Error> {
    let LoginRequest { username, password } = body;
    check_length("username", &username, 64)?;
    check_length("password", &password, 256)?;
    app.sign_in_rate.check(origin)?;
    let principal = principal_key("user", &username, origin);
    let (lookup_name, lookup_principal) = (username.clone(), principal.clone());
    let attempts = app.protection.lockout_attempts;
    let user = app
        .read(move |conn| {
            check_lockout(conn, &lookup_principal, attempts)?;
            Ok::<_, Error>(users::find_by_username(conn, &lookup_name)?)
        })
        .await?;
    // Verify against a decoy when the username is unknown, so both take the same time.
    let stored = user
        .as_ref()
        .map_or(app.decoy_hash.as_str().to_owned(), |u| {
            u.password_hash.clone()
        });
    let verified = verify(app, password, stored).await?;
    let (app2, audit) = (app.clone(), AuditContext::anonymous(origin));
    let outcome = app
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
                Ok::<_, Error>(None)
            }
            Some(user) => {
                sessions::clear_failures(conn, &principal)?;
                let family = uuid::Uuid::new_v4().to_string();
                let tokens = issue_user_tokens(&app2, conn, user.id, &family)?;
                audit
                    .as_user(user.id.get(), &user.username, user.role.as_str())
                    .record(conn, "sign_in", "user", Some(user.id.to_string()), None)?;
                Ok(Some(tokens))
            }
        })
        .await?;
    outcome.ok_or_else(invalid_credentials)
}

/// Exchanges a refresh token for new tokens; a token used twice revokes its whole session.
pub async fn refresh(
    app: &App,
    origin: &Origin,
    body: RefreshRequest,
) -> Result<TokenResponse, Error> {
    check_length("refresh_token", &body.refresh_token, 200)?;
    let hash = passwords::token_hash(&body.refresh_token);
    let (app2, audit) = (app.clone(), AuditContext::anonymous(origin));
    let outcome = app
        .write(move |conn| {
            let Some(token) = sessions::find_by_hash(conn, &hash)? else {
                return Ok::<_, Error>(None);
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
                &app2,
                conn,
                user.id,
                &token.family,
            )?))
        })
        .await?;
    // A reuse must revoke even though the answer is an error: the write above commits first.
    outcome.ok_or_else(invalid_grant)
}

/// Ends the session a refresh token belongs to.
pub async fn logout(app: &App, origin: &Origin, body: RefreshRequest) -> Result<(), Error> {
    check_length("refresh_token", &body.refresh_token, 200)?;
    let hash = passwords::token_hash(&body.refresh_token);
    let audit = AuditContext::anonymous(origin);
    app.write(move |conn| {
        if let Some(token) = sessions::find_by_hash(conn, &hash)?
            && sessions::revoke_family(conn, &token.family)? > 0
        {
            let user = users::find(conn, token.user_id)?;
            audit
                .as_user(user.id.get(), &user.username, user.role.as_str())
                .record(conn, "sign_out", "session", Some(token.family), None)?;
        }
        Ok::<_, Error>(())
    })
    .await
}

/// The signed-in account, with its role (people) or scopes (clients).
pub fn me(ctx: &Ctx) -> Me {
    match ctx.caller.clone() {
        Caller::User {
            id,
            username,
            display_name,
            role,
            ..
        } => Me {
            kind: "user".into(),
            id: id.get(),
            name: username,
            display_name,
            role,
            scopes: Vec::new(),
        },
        Caller::Client {
            id,
            client_id,
            name,
            scopes,
        } => Me {
            kind: "client".into(),
            id: id.get(),
            name: client_id,
            display_name: name,
            role: Role::Integration,
            scopes,
        },
    }
}

/// Changes the caller's own password; every session of the account ends.
pub async fn change_password(ctx: &Ctx, body: ChangePassword) -> Result<(), Error> {
    let Caller::User { id, .. } = ctx.caller else {
        return Err(Error::forbidden(msg!("Clients have no password.")));
    };
    let ChangePassword {
        current_password,
        new_password,
    } = body;
    check_length("current_password", &current_password, 256)?;
    let user = ctx
        .read(move |conn, _| Ok::<_, Error>(users::find(conn, id)?))
        .await?;
    accounts::password("new_password", &new_password, &user.username)?;
    let stored = user.password_hash.clone();
    let (verified, new_hash) = ctx
        .app
        .hashing
        .run(move || {
            (
                passwords::verify(&current_password, &stored),
                passwords::hash(&new_password),
            )
        })
        .await?;
    if !verified {
        return Err(Error::validation(
            "current_password",
            "wrong_password",
            msg!("is not the current password"),
        ));
    }
    let new_hash = new_hash?;
    ctx.write(move |conn, ctx| {
        let changes = UserChanges {
            password_hash: Some(new_hash),
            ..UserChanges::default()
        };
        users::update(conn, id, user.version, changes)?;
        sessions::revoke_user(conn, id)?;
        versioned::committed(
            conn,
            ctx,
            "change_password",
            "user",
            &id.to_string(),
            Some(serde_json::json!({"password": {"before": "***", "after": "***"}})),
        )
    })
    .await
}
