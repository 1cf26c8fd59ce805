//! Refresh tokens (stored as hashes) in chains, and the failed sign-ins that drive the lockout.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{refresh_tokens, sign_in_failures};
use crate::{AnyConnection, StoreError, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    pub id: i64,
    pub token_hash: String,
    pub family: String,
    pub user_id: crate::ids::UserId,
    pub issued_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub rotated_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn insert(
    conn: &mut AnyConnection,
    token_hash: &str,
    family: &str,
    user_id: crate::ids::UserId,
    expires_at: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::family.eq(family),
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::issued_at.eq(now_utc()),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find_by_hash(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<RefreshTokenRow>, StoreError> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()?)
}

/// Marks a token used; false when it was already used (a concurrent refresh won).
pub fn mark_rotated(conn: &mut AnyConnection, id: i64) -> Result<bool, StoreError> {
    let updated = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::id.eq(id))
            .filter(refresh_tokens::rotated_at.is_null()),
    )
    .set(refresh_tokens::rotated_at.eq(Some(now_utc())))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Revokes every token of a chain (logout, or reuse of a rotated token).
pub fn revoke_family(conn: &mut AnyConnection, family: &str) -> Result<usize, StoreError> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family.eq(family))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Some(now_utc())))
    .execute(conn)?)
}

/// Revokes every session of a user (deactivation, password reset).
pub fn revoke_user(
    conn: &mut AnyConnection,
    user_id: crate::ids::UserId,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Some(now_utc())))
    .execute(conn)?)
}

pub fn record_failure(conn: &mut AnyConnection, principal: &str) -> Result<(), StoreError> {
    diesel::insert_into(sign_in_failures::table)
        .values((
            sign_in_failures::principal.eq(principal),
            sign_in_failures::failed_at.eq(now_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Failed sign-ins of `principal` since `since`, oldest first.
pub fn failures_since(
    conn: &mut AnyConnection,
    principal: &str,
    since: NaiveDateTime,
) -> Result<Vec<NaiveDateTime>, StoreError> {
    Ok(sign_in_failures::table
        .filter(sign_in_failures::principal.eq(principal))
        .filter(sign_in_failures::failed_at.ge(since))
        .order(sign_in_failures::failed_at)
        .select(sign_in_failures::failed_at)
        .load(conn)?)
}

pub fn clear_failures(conn: &mut AnyConnection, principal: &str) -> Result<(), StoreError> {
    diesel::delete(sign_in_failures::table.filter(sign_in_failures::principal.eq(principal)))
        .execute(conn)?;
    Ok(())
}

/// Deletes failed sign-ins older than `cutoff` (past every lockout window); returns how many.
pub fn purge_failures_before(
    conn: &mut AnyConnection,
    cutoff: NaiveDateTime,
) -> Result<usize, StoreError> {
    Ok(
        diesel::delete(sign_in_failures::table.filter(sign_in_failures::failed_at.lt(cutoff)))
            .execute(conn)?,
    )
}

/// Deletes refresh tokens that expired before `cutoff`; returns how many.
pub fn purge_expired_before(
    conn: &mut AnyConnection,
    cutoff: NaiveDateTime,
) -> Result<usize, StoreError> {
    Ok(
        diesel::delete(refresh_tokens::table.filter(refresh_tokens::expires_at.lt(cutoff)))
            .execute(conn)?,
    )
}
