//! People who sign in.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use klinik_domain::accounts::Role;

use crate::ids::UserId;
use crate::schema::users;
use crate::{AnyConnection, EnumText, Parsed, StoreError, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    #[diesel(deserialize_as = Parsed<Role>)]
    pub role: Role,
    pub password_hash: String,
    pub active: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    #[diesel(serialize_as = EnumText)]
    pub role: Role,
    pub password_hash: String,
    pub active: bool,
}

/// A partial update; `Some(None)` clears the e-mail.
#[derive(Debug, Clone, Default, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub email: Option<Option<String>>,
    #[diesel(serialize_as = EnumText)]
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
}

pub fn count(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(users::table.count().get_result(conn)?)
}

pub fn count_active_admins(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)?)
}

pub fn insert(conn: &mut AnyConnection, user: NewUser) -> Result<UserRow, StoreError> {
    let now = now_utc();
    Ok(diesel::insert_into(users::table)
        .values((
            user,
            users::version.eq(1),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .returning(users::all_columns)
        .get_result(conn)?)
}

pub fn find(conn: &mut AnyConnection, id: UserId) -> Result<UserRow, StoreError> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)?)
}

/// The user, if active and the session chain `family` has not been revoked: one statement, run
/// for every request a person makes.
pub fn find_signed_in(
    conn: &mut AnyConnection,
    id: UserId,
    family: &str,
) -> Result<Option<UserRow>, StoreError> {
    use crate::schema::refresh_tokens;
    let revoked = refresh_tokens::table
        .filter(refresh_tokens::family.eq(family.to_owned()))
        .filter(refresh_tokens::revoked_at.is_not_null());
    Ok(users::table
        .find(id)
        .filter(users::active.eq(true))
        .filter(diesel::dsl::not(diesel::dsl::exists(revoked)))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_username(
    conn: &mut AnyConnection,
    username: &str,
) -> Result<Option<UserRow>, StoreError> {
    Ok(users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(
    conn: &mut AnyConnection,
    limit: i64,
    offset: i64,
) -> Result<(Vec<UserRow>, i64), StoreError> {
    let total = users::table.count().get_result(conn)?;
    let rows = users::table
        .order(users::username)
        .limit(limit)
        .offset(offset)
        .select(UserRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

crate::versioned_writes!(users, UserId, UserChanges);
