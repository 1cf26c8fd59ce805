//! Stored answers to create requests that carried an `Idempotency-Key`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::idempotency_keys;
use crate::{AnyConnection, StoreError, now_utc};

/// The first response given for a key, replayed on a retry.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
pub struct StoredResponse {
    pub request_hash: String,
    pub response_status: i32,
    pub response_body: String,
    pub response_location: Option<String>,
    pub response_etag: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = idempotency_keys)]
struct NewKey<'a> {
    scope: &'a str,
    idempotency_key: &'a str,
    request_hash: &'a str,
    response_status: i32,
    response_body: &'a str,
    response_location: Option<&'a str>,
    response_etag: Option<&'a str>,
    created_at: NaiveDateTime,
}

/// The response stored for `key` within `scope` (method and path of the create operation).
pub fn find(
    conn: &mut AnyConnection,
    scope: &str,
    key: &str,
) -> Result<Option<StoredResponse>, StoreError> {
    Ok(idempotency_keys::table
        .filter(idempotency_keys::scope.eq(scope))
        .filter(idempotency_keys::idempotency_key.eq(key))
        .select(StoredResponse::as_select())
        .first(conn)
        .optional()?)
}

/// Stores the response; a concurrent request with the same key makes this fail as a duplicate.
#[allow(clippy::too_many_arguments)]
pub fn store(
    conn: &mut AnyConnection,
    scope: &str,
    key: &str,
    request_hash: &str,
    status: i32,
    body: &str,
    location: Option<&str>,
    etag: Option<&str>,
) -> Result<(), StoreError> {
    diesel::insert_into(idempotency_keys::table)
        .values(NewKey {
            scope,
            idempotency_key: key,
            request_hash,
            response_status: status,
            response_body: body,
            response_location: location,
            response_etag: etag,
            created_at: now_utc(),
        })
        .execute(conn)?;
    Ok(())
}

/// Deletes the stored answer for `key` within `scope` if it was stored before `cutoff`, so
/// that an expired key works as new.
pub fn forget_expired(
    conn: &mut AnyConnection,
    scope: &str,
    key: &str,
    cutoff: NaiveDateTime,
) -> Result<usize, StoreError> {
    Ok(diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::scope.eq(scope))
            .filter(idempotency_keys::idempotency_key.eq(key))
            .filter(idempotency_keys::created_at.lt(cutoff)),
    )
    .execute(conn)?)
}

/// Deletes every answer stored before `cutoff`; returns how many.
pub fn purge_expired(conn: &mut AnyConnection, cutoff: NaiveDateTime) -> Result<usize, StoreError> {
    Ok(
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(cutoff)))
            .execute(conn)?,
    )
}
