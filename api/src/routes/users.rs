//! Admin management of user accounts: `/api/v1/users`.

use klinik_app::accounts::users::{self, CreateUser, PatchUser, ResetPassword, User};

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_user)
        .service(list_users)
        .service(get_user)
        .service(update_user)
        .service(reset_user_password);
}

/// Create a user account.
///
/// The username is unique (409). The password must have at least 12 characters and differ from the
/// username.
#[utoipa::path(
    tag = "users",
    request_body = CreateUser,
    responses(
        (status = 201, description = "Created.", body = User,
            headers(("Location" = String, description = "URL of the account."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[post("/users")]
pub async fn create_user(allowed: Allowed, body: JsonBody<CreateUser>) -> Reply {
    created(users::create(&allowed, body.value).await?)
}

/// List user accounts.
///
/// Ordered by username.
#[utoipa::path(
    tag = "users",
    params(PageQuery),
    responses(
        (status = 200, description = "One page of accounts.", body = Page<User>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/users")]
pub async fn list_users(allowed: Allowed, query: QueryParams<PageQuery>) -> Reply {
    ok(users::list(&allowed, query.0).await?)
}

/// Read a user account.
///
/// The `ETag` is its version.
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "The account's id.", minimum = 1)),
    responses(
        (status = 200, description = "The account.", body = User, headers(("ETag" = String, description = "Its version."))),
    ),
)]
#[get("/users/{id}")]
pub async fn get_user(allowed: Allowed, id: web::Path<UserId>) -> Reply {
    tagged(users::get(&allowed, *id).await?)
}

/// Change a user account.
///
/// Role, active flag, display name, e-mail. Deactivating revokes the account's sessions at once.
/// You cannot change your own role or deactivate yourself, and the last active admin must stay an
/// active admin (422).
#[utoipa::path(
    tag = "users",
    request_body = PatchUser,
    params(
        ("id" = i64, Path, description = "The account's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the account has changed since."),
    ),
    responses(
        (status = 200, description = "The changed account.", body = User, headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[patch("/users/{id}")]
pub async fn update_user(
    allowed: Allowed,
    id: web::Path<UserId>,
    if_match: Precondition,
    body: JsonBody<PatchUser>,
) -> Reply {
    tagged(users::update(&allowed, *id, if_match.0, body.value).await?)
}

/// Reset a user's password.
///
/// For someone who forgot theirs; every session of the account ends. For your own password use
/// `POST /api/v1/auth/change-password` (422 here).
#[utoipa::path(
    tag = "users",
    request_body = ResetPassword,
    params(("id" = i64, Path, description = "The account's id.", minimum = 1)),
    responses(
        (status = 204, description = "Reset; the account's sessions are revoked."),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[post("/users/{id}/password-reset")]
pub async fn reset_user_password(
    allowed: Allowed,
    id: web::Path<UserId>,
    body: JsonBody<ResetPassword>,
) -> Reply {
    users::reset_password(&allowed, *id, body.value).await?;
    no_content()
}
