//! The record of spreadsheet imports.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use klinik_domain::imports::{FileFormat, ImportKind, ImportOutcome};

use crate::ids::ImportId;
use crate::schema::imports;
use crate::stored::{EnumText, Parsed};
use crate::{AnyConnection, StoreError, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = imports)]
pub struct ImportRow {
    pub id: ImportId,
    #[diesel(deserialize_as = Parsed<ImportKind>)]
    pub kind: ImportKind,
    pub file_name: String,
    #[diesel(deserialize_as = Parsed<FileFormat>)]
    pub file_format: FileFormat,
    pub dry_run: bool,
    #[diesel(deserialize_as = Parsed<ImportOutcome>)]
    pub outcome: ImportOutcome,
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

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = imports)]
pub struct NewImport {
    #[diesel(serialize_as = EnumText)]
    pub kind: ImportKind,
    pub file_name: String,
    #[diesel(serialize_as = EnumText)]
    pub file_format: FileFormat,
    pub dry_run: bool,
    #[diesel(serialize_as = EnumText)]
    pub outcome: ImportOutcome,
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

pub fn insert(conn: &mut AnyConnection, new: NewImport) -> Result<ImportRow, StoreError> {
    Ok(diesel::insert_into(imports::table)
        .values((new, imports::created_at.eq(now_utc())))
        .returning(imports::all_columns)
        .get_result(conn)?)
}

pub fn find(conn: &mut AnyConnection, id: ImportId) -> Result<ImportRow, StoreError> {
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
