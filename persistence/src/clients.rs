//! Integration clients: other government systems using the client-credentials grant.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use klinik_domain::accounts::ScopeList;

use crate::ids::{ClientId, PartnerId};
use crate::schema::api_clients;
use crate::{AnyConnection, Parsed, StoreError, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = api_clients)]
pub struct ClientRow {
    pub id: ClientId,
    pub client_id: String,
    pub name: String,
    #[diesel(deserialize_as = Parsed<ScopeList>)]
    pub scopes: ScopeList,
    pub secret_hash: String,
    pub active: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The partner (a bank) the client speaks for, if any.
    pub partner_id: Option<PartnerId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = api_clients)]
pub struct NewClient {
    pub client_id: String,
    pub name: String,
    pub scopes: String,
    pub secret_hash: String,
    pub active: bool,
    pub partner_id: Option<PartnerId>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = api_clients)]
pub struct ClientChanges {
    pub name: Option<String>,
    pub scopes: Option<String>,
    pub active: Option<bool>,
    pub secret_hash: Option<String>,
    /// `Some(None)` unlinks the partner.
    pub partner_id: Option<Option<PartnerId>>,
}

pub fn insert(conn: &mut AnyConnection, client: &NewClient) -> Result<ClientRow, StoreError> {
    let now = now_utc();
    Ok(diesel::insert_into(api_clients::table)
        .values((
            client,
            api_clients::version.eq(1),
            api_clients::created_at.eq(now),
            api_clients::updated_at.eq(now),
        ))
        .returning(api_clients::all_columns)
        .get_result(conn)?)
}

/// The scopes of every active client (the webhook fan-out decides by them).
pub fn active_scopes(
    conn: &mut AnyConnection,
) -> Result<std::collections::HashMap<ClientId, Vec<klinik_domain::accounts::Scope>>, StoreError> {
    let rows: Vec<(ClientId, Parsed<ScopeList>)> = api_clients::table
        .filter(api_clients::active.eq(true))
        .select((api_clients::id, api_clients::scopes))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, scopes)| (id, scopes.0.0))
        .collect())
}

pub fn find(conn: &mut AnyConnection, id: ClientId) -> Result<ClientRow, StoreError> {
    Ok(api_clients::table
        .find(id)
        .select(ClientRow::as_select())
        .first(conn)?)
}

pub fn find_by_client_id(
    conn: &mut AnyConnection,
    client_id: &str,
) -> Result<Option<ClientRow>, StoreError> {
    Ok(api_clients::table
        .filter(api_clients::client_id.eq(client_id))
        .select(ClientRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(
    conn: &mut AnyConnection,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ClientRow>, i64), StoreError> {
    let total = api_clients::table.count().get_result(conn)?;
    let rows = api_clients::table
        .order(api_clients::id)
        .limit(limit)
        .offset(offset)
        .select(ClientRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

crate::versioned_writes!(api_clients, ClientId, &ClientChanges);
