//! Admin management of user accounts.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use klinik_domain::accounts::{self, Role};
use klinik_domain::{Violation, Violations, identifiers, text};
use klinik_persistence::sessions;
use klinik_persistence::users::{self as store, NewUser, UserChanges, UserRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::cooperatives::dto::utc;
use super::regions::PageQuery;
use super::{Page, PageRequest, with_etag};
use crate::audit::{AuditContext, diff};
use crate::auth::{Caller, passwords};
use crate::extract::{IfMatch, JsonBody, QueryParams, etag, nullable, present};
use crate::problem::{ApiError, responses};
use crate::routes::created::Created;
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_user)
        .service(list_users)
        .service(get_user)
        .service(update_user)
        .service(reset_user_password);
}

/// Personal fields shown in the audit trail only as "changed".
const PERSONAL: &[&str] = &["email"];

/// A role a person can have (`integration` belongs to clients).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserRole {
    Admin,
    Officer,
    Assessor,
    Viewer,
}

impl From<UserRole> for Role {
    fn from(role: UserRole) -> Self {
        match role {
            UserRole::Admin => Role::Admin,
            UserRole::Officer => Role::Officer,
            UserRole::Assessor => Role::Assessor,
            UserRole::Viewer => Role::Viewer,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "siti", "display_name": "Siti Aminah", "email": "siti@kotabogor.go.id",
    "role": "officer", "password": "a long pass phrase"}))]
pub struct CreateUser {
    #[schema(pattern = "^[a-z0-9][a-z0-9._-]{2,63}$")]
    pub username: String,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub display_name: String,
    #[schema(
        max_length = 254,
        pattern = r"^[^@\x00-\x20\x7F]+@[^@.\x00-\x20\x7F]+(\.[^@.\x00-\x20\x7F]+)+$"
    )]
    pub email: Option<String>,
    pub role: UserRole,
    /// At least 12 characters, not the username.
    #[schema(min_length = 12, max_length = 256)]
    pub password: String,
}

/// Changes some fields of an account. Deactivating it revokes its sessions at once. Nobody can
/// change their own role or deactivate themselves, and the last active admin stays one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "viewer", "active": false}))]
pub struct PatchUser {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$")]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 254, pattern = r"^[^@\x00-\x20\x7F]+@[^@.\x00-\x20\x7F]+(\.[^@.\x00-\x20\x7F]+)+$")]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = UserRole)]
    pub role: Option<UserRole>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"new_password": "a new long pass phrase"}))]
pub struct ResetPassword {
    /// At least 12 characters, not the username.
    #[schema(min_length = 12, max_length = 256)]
    pub new_password: String,
}

/// A user account (never its password).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 2, "username": "siti", "display_name": "Siti Aminah", "email": "siti@kotabogor.go.id",
    "role": "officer", "active": true, "version": 1, "created_at": "2026-11-28T10:00:00Z", "updated_at": "2026-11-28T10:00:00Z"}))]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    #[schema(value_type = UserRole)]
    pub role: String,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            email: row.email,
            role: row.role,
            active: row.active,
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

fn check_profile(violations: &mut Violations, display_name: Option<&str>, email: Option<&str>) {
    if let Some(name) = display_name {
        violations.check(text::single_line("display_name", name, 200));
    }
    if let Some(email) = email {
        violations.check(identifiers::email("email", email));
    }
}

/// Create a user account.
///
/// The username is unique (409). The password must have at least 12 characters and differ from the
/// username.
#[utoipa::path(
    operation_id = "create_user",
    tag = "users",
    request_body = CreateUser,
    responses(
        (status = 201, description = "Created.", body = User,
            headers(("Location" = String, description = "URL of the account."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    audit: AuditContext,
    body: JsonBody<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    let input = body.value;
    let mut violations = Violations::default();
    violations.check(accounts::username("username", &input.username));
    check_profile(
        &mut violations,
        Some(&input.display_name),
        input.email.as_deref(),
    );
    violations.check(accounts::password(
        "password",
        &input.password,
        &input.username,
    ));
    violations.into_result()?;
    let password = input.password;
    let hash = web::block(move || passwords::hash(&password))
        .await
        .map_err(|e| ApiError::internal(&e))??;
    let new = NewUser {
        username: input.username,
        display_name: input.display_name,
        email: input.email,
        role: Role::from(input.role).as_str().to_owned(),
        password_hash: hash,
        active: true,
    };
    let created = state
        .write(move |conn| {
            let row = store::insert(conn, &new).map_err(|e| {
                if e.duplicate_of("username") {
                    ApiError::conflict(
                        "username",
                        "duplicate_username",
                        "Another account already has this username.",
                    )
                } else {
                    e.into()
                }
            })?;
            let user = User::from(row);
            audit.record(
                conn,
                "create",
                "user",
                Some(user.id.to_string()),
                Some(diff::<User, User>(None, Some(&user), PERSONAL)),
            )?;
            Created::new(
                &user,
                format!("/api/v1/users/{}", user.id),
                etag(user.version),
            )
        })
        .await?;
    Ok(created.into_response(false))
}

/// List user accounts.
///
/// Ordered by username.
#[utoipa::path(
    operation_id = "list_users",
    tag = "users",
    params(PageQuery),
    responses(
        (status = 200, description = "One page of accounts.", body = Page<User>),
        (status = 400, response = responses::BadRequest),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    query: QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::new(query.0.page, query.0.page_size)?;
    let (rows, total) = state
        .read(move |conn| Ok(store::list(conn, page.limit(), page.offset())?))
        .await?;
    Ok(HttpResponse::Ok().json(page.wrap(rows.into_iter().map(User::from).collect(), total)))
}

/// Read a user account.
///
/// The `ETag` is its version.
#[utoipa::path(
    operation_id = "get_user",
    tag = "users",
    params(("id" = i64, Path, description = "The account's id.", minimum = 1)),
    responses(
        (status = 200, description = "The account.", body = User, headers(("ETag" = String, description = "Its version."))),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = User::from(
        state
            .read(move |conn| store::find(conn, id).map_err(ApiError::missing("User")))
            .await?,
    );
    Ok(with_etag(StatusCode::OK, user.version, &user))
}

/// Change a user account.
///
/// Role, active flag, display name, e-mail. Deactivating revokes the account's sessions at once.
/// You cannot change your own role or deactivate yourself, and the last active admin must stay an
/// active admin (422).
#[utoipa::path(
    operation_id = "update_user",
    tag = "users",
    request_body = PatchUser,
    params(
        ("id" = i64, Path, description = "The account's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the account has changed since."),
    ),
    responses(
        (status = 200, description = "The changed account.", body = User, headers(("ETag" = String, description = "Its new version."))),
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
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    caller: Caller,
    audit: AuditContext,
    if_match: IfMatch,
    body: JsonBody<PatchUser>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.value;
    let mut violations = Violations::default();
    check_profile(
        &mut violations,
        patch.display_name.as_deref(),
        patch.email.as_ref().and_then(|e| e.as_deref()),
    );
    violations.into_result()?;
    let own = matches!(caller, Caller::User { id: me, .. } if me == id);
    let user = state
        .write(move |conn| {
            let current = store::find(conn, id).map_err(ApiError::missing("User"))?;
            let role = patch.role.map(|r| Role::from(r).as_str().to_owned());
            let demotes = role.as_deref().is_some_and(|r| r != current.role);
            let deactivates = patch.active == Some(false) && current.active;
            if own && (demotes || deactivates) {
                return Err(Violations::from(Violation::new(
                    if demotes { "role" } else { "active" },
                    "cannot_change_own_access",
                    "you cannot change your own role or deactivate yourself",
                ))
                .into());
            }
            if current.role == "admin"
                && current.active
                && (demotes || deactivates)
                && store::count_active_admins(conn)? <= 1
            {
                return Err(ApiError::validation(
                    "role",
                    "last_admin",
                    "the last active admin must stay an active admin",
                ));
            }
            if_match.check(current.version)?;
            let changes = UserChanges {
                display_name: patch.display_name,
                email: patch.email,
                role,
                active: patch.active,
                password_hash: None,
            };
            let updated = User::from(store::update(conn, id, current.version, &changes)?);
            if deactivates {
                sessions::revoke_user(conn, id)?;
            }
            let before = User::from(current);
            audit.record(
                conn,
                "update",
                "user",
                Some(id.to_string()),
                Some(diff(Some(&before), Some(&updated), PERSONAL)),
            )?;
            Ok(updated)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, user.version, &user))
}

/// Reset a user's password.
///
/// For someone who forgot theirs; every session of the account ends. For your own password use
/// `POST /api/v1/auth/change-password` (422 here).
#[utoipa::path(
    operation_id = "reset_user_password",
    tag = "users",
    request_body = ResetPassword,
    params(("id" = i64, Path, description = "The account's id.", minimum = 1)),
    responses(
        (status = 204, description = "Reset; the account's sessions are revoked."),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/users/{id}/password-reset")]
pub async fn reset_user_password(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    caller: Caller,
    audit: AuditContext,
    body: JsonBody<ResetPassword>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if matches!(caller, Caller::User { id: me, .. } if me == id) {
        return Err(ApiError::validation(
            "id",
            "own_password",
            "change your own password with POST /api/v1/auth/change-password",
        ));
    }
    let new_password = body.value.new_password;
    let user = state
        .read(move |conn| store::find(conn, id).map_err(ApiError::missing("User")))
        .await?;
    accounts::password("new_password", &new_password, &user.username).map_err(Violations::from)?;
    let hash = web::block(move || passwords::hash(&new_password))
        .await
        .map_err(|e| ApiError::internal(&e))??;
    state
        .write(move |conn| {
            let changes = UserChanges {
                password_hash: Some(hash),
                ..UserChanges::default()
            };
            store::update(conn, id, user.version, &changes)?;
            sessions::revoke_user(conn, id)?;
            audit.record(
                conn,
                "reset_password",
                "user",
                Some(id.to_string()),
                Some(serde_json::json!({"password": {"before": "***", "after": "***"}})),
            )?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
