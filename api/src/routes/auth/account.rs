//! One's own account: who am I, and changing one's password.

use actix_web::{HttpResponse, get, post, web};
use klinik_domain::accounts;
use klinik_persistence::users::UserChanges;
use klinik_persistence::{sessions, users};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::check_length;
use crate::audit::AuditContext;
use crate::auth::{Caller, passwords};
use crate::extract::JsonBody;
use crate::problem::{ApiError, responses};
use crate::state::AppState;

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
