//! User accounts, managed by admins.

use chrono::{DateTime, Utc};
use klinik_domain::accounts::{self, Role};
use klinik_domain::{Violation, Violations, identifiers, text};
use klinik_persistence::sessions;
use klinik_persistence::users::{self as store, NewUser, UserChanges, UserRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::passwords;
use crate::fields::{nullable, present, utc};
use crate::prelude::*;

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
    pub role: Role,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: row.id.get(),
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

impl Tagged for User {
    fn version(&self) -> i64 {
        self.version
    }
}

/// An account: found by id; a change is its columns, and whether it deactivates the account
/// (which ends its sessions).
pub struct UserEntity;

impl Entity for UserEntity {
    type Id = UserId;
    type Row = UserRow;
    type View = User;
    type Changes = (UserChanges, bool);
    const KIND: &'static str = "user";
    const NAME: Record = Record::User;
    const PERSONAL: &'static [&'static str] = PERSONAL;

    fn find(conn: &mut AnyConnection, id: UserId) -> Result<UserRow, Error> {
        store::find(conn, id).map_err(Error::missing(Self::NAME))
    }

    fn view(_: &mut AnyConnection, _: &Ctx, row: UserRow) -> Result<User, Error> {
        Ok(User::from(row))
    }

    fn store(
        conn: &mut AnyConnection,
        id: UserId,
        expected_version: i64,
        (changes, deactivates): Self::Changes,
    ) -> Result<(), Error> {
        store::update(conn, id, expected_version, changes)?;
        if deactivates {
            sessions::revoke_user(conn, id)?;
        }
        Ok(())
    }
}

fn is_caller(ctx: &Ctx, id: UserId) -> bool {
    matches!(ctx.caller, Caller::User { id: me, .. } if me == id)
}

async fn hash(password: String) -> Result<String, Error> {
    tokio::task::spawn_blocking(move || passwords::hash(&password))
        .await
        .map_err(|e| Error::internal(&e))?
}

/// Creates an account (409 for a username already taken).
pub async fn create(ctx: &Ctx, input: CreateUser) -> Result<Created, Error> {
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
    let new = NewUser {
        username: input.username,
        display_name: input.display_name,
        email: input.email,
        role: Role::from(input.role),
        password_hash: hash(input.password).await?,
        active: true,
    };
    ctx.write(move |conn, ctx| {
        let row = store::insert(conn, new).map_err(|e| {
            if e.duplicate_of("username") {
                Error::conflict(
                    "username",
                    "duplicate_username",
                    msg!("Another account already has this username."),
                )
            } else {
                e.into()
            }
        })?;
        let user = User::from(row);
        versioned::created::<UserEntity>(conn, ctx, user.id, &user)?;
        Created::new(&user, format!("/api/v1/users/{}", user.id))
    })
    .await
}

/// Accounts by username.
pub async fn list(ctx: &Ctx, query: PageQuery) -> Result<Page<User>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let (rows, total) = ctx
        .read(move |conn, _ctx| Ok::<_, Error>(store::list(conn, page.limit(), page.offset())?))
        .await?;
    Ok(page.wrap(rows.into_iter().map(User::from).collect(), total))
}

pub async fn get(ctx: &Ctx, id: UserId) -> Result<User, Error> {
    ctx.read(move |conn, _ctx| UserEntity::find(conn, id))
        .await
        .map(User::from)
}

/// Changes an account. Nobody changes their own role or deactivates themselves, and the last
/// active admin stays one (422).
pub async fn update(
    ctx: &Ctx,
    id: UserId,
    if_match: IfMatch,
    patch: PatchUser,
) -> Result<User, Error> {
    let mut violations = Violations::default();
    check_profile(
        &mut violations,
        patch.display_name.as_deref(),
        patch.email.as_ref().and_then(|e| e.as_deref()),
    );
    violations.into_result()?;
    let own = is_caller(ctx, id);
    ctx.write(move |conn, ctx| {
        versioned::update::<UserEntity>(conn, ctx, id, &if_match, |conn, current| {
            let role = patch.role.map(Role::from);
            let demotes = role.is_some_and(|r| r != current.role);
            let deactivates = patch.active == Some(false) && current.active;
            if own && (demotes || deactivates) {
                return Err(Violation::new(
                    if demotes { "role" } else { "active" },
                    "cannot_change_own_access",
                    msg!("you cannot change your own role or deactivate yourself"),
                )
                .into());
            }
            if current.role == Role::Admin
                && current.active
                && (demotes || deactivates)
                && store::count_active_admins(conn)? <= 1
            {
                return Err(Error::validation(
                    "role",
                    "last_admin",
                    msg!("the last active admin must stay an active admin"),
                ));
            }
            let changes = UserChanges {
                display_name: patch.display_name,
                email: patch.email,
                role,
                active: patch.active,
                password_hash: None,
            };
            Ok((changes, deactivates))
        })
    })
    .await
}

/// Sets a new password for someone who forgot theirs; every session of the account ends.
pub async fn reset_password(ctx: &Ctx, id: UserId, body: ResetPassword) -> Result<(), Error> {
    if is_caller(ctx, id) {
        return Err(Error::validation(
            "id",
            "own_password",
            msg!("change your own password with POST /api/v1/auth/change-password"),
        ));
    }
    let new_password = body.new_password;
    let user = ctx
        .read(move |conn, _ctx| UserEntity::find(conn, id))
        .await?;
    accounts::password("new_password", &new_password, &user.username)?;
    let hash = hash(new_password).await?;
    ctx.write(move |conn, ctx| {
        let changes = UserChanges {
            password_hash: Some(hash),
            ..UserChanges::default()
        };
        store::update(conn, id, user.version, changes)?;
        sessions::revoke_user(conn, id)?;
        versioned::committed(
            conn,
            ctx,
            "reset_password",
            "user",
            &id.to_string(),
            Some(serde_json::json!({"password": {"before": "***", "after": "***"}})),
        )
    })
    .await
}
