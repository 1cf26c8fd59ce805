//! The record of spreadsheet imports.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::imports;
use crate::{AnyConnection, StoreError, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = imports)]
pub struct ImportRow {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub file_format: String,
    pub dry_run: bool,
    pub outcome: String,
    pub rows_read: i64,
    pub to_create: i64,
    pub to_update: i64,
    pub unchanged: i64,
    pub rejected: i64,
    /// JSON array of `{row, column, code, message}`.
    pub problems: String,
    pub actor_type: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub request_id: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = imports)]
pub struct NewImport {
    pub kind: String,
    pub file_name: String,
    pub file_format: String,
    pub dry_run: bool,
    pub outcome: String,
    pub rows_read: i64,
    pub to_create: i64,
    pub to_update: i64,
    pub unchanged: i64,
    pub rejected: i64,
    pub problems: String,
    pub actor_type: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub request_id: Option<String>,
}

pub fn insert(conn: &mut AnyConnection, new: &NewImport) -> Result<ImportRow, StoreError> {
    Ok(diesel::insert_into(imports::table)
        .values((new, imports::created_at.eq(now_utc())))
        .returning(imports::all_columns)
        .get_result(conn)?)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<ImportRow, StoreError> {
    Ok(imports::table
        .find(id)
        .select(ImportRow::as_select())
        .first(conn)?)
}

/// Newest first, with the total.
pub fn list(
    conn: &mut AnyConnection,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ImportRow>, i64), StoreError> {
    let total = imports::table.count().get_result(conn)?;
    let rows = imports::table
        .order((imports::created_at.desc(), imports::id.desc()))
        .select(ImportRow::as_select())
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    Ok((rows, total))
}
