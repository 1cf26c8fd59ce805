//! Evidence documents' records (see the `documents` migration). The bytes are in the object
//! store; a row is written only once they are stored whole.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use klinik_domain::documents::{DocumentKind, DocumentOwner};

use crate::clinic::Paging;
use crate::ids::DocumentId;
use crate::schema::documents;
use crate::{AnyConnection, EnumText, Parsed, StoreError, Total, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = documents)]
pub struct DocumentRow {
    pub id: DocumentId,
    #[diesel(deserialize_as = Parsed<DocumentOwner>)]
    pub owner_kind: DocumentOwner,
    pub owner_id: i64,
    #[diesel(deserialize_as = Parsed<DocumentKind>)]
    pub kind: DocumentKind,
    pub title: String,
    pub document_date: Option<NaiveDate>,
    pub personal: bool,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub archived_at: Option<NaiveDateTime>,
    pub purged_at: Option<NaiveDateTime>,
    pub purge_reason: Option<String>,
}

/// What describes a document; the rest is the file's.
#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = documents)]
#[diesel(treat_none_as_null = true)]
pub struct DocumentFields {
    #[diesel(serialize_as = EnumText)]
    pub kind: DocumentKind,
    pub title: String,
    pub document_date: Option<NaiveDate>,
    pub personal: bool,
}

/// The stored file a new row points at.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = documents)]
pub struct StoredFile {
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
}

crate::versioned_writes!(documents, DocumentId, DocumentFields, archive);

pub fn insert(
    conn: &mut AnyConnection,
    owner: DocumentOwner,
    owner_id: i64,
    fields: DocumentFields,
    file: StoredFile,
) -> Result<DocumentRow, StoreError> {
    let now = now_utc();
    Ok(diesel::insert_into(documents::table)
        .values((
            documents::owner_kind.eq(owner.as_str()),
            documents::owner_id.eq(owner_id),
            fields,
            file,
            documents::version.eq(1),
            documents::created_at.eq(now),
            documents::updated_at.eq(now),
        ))
        .returning(documents::all_columns)
        .get_result(conn)?)
}

/// A document, unless archived (or with `include_archived`, any, purged ones too).
pub fn find(
    conn: &mut AnyConnection,
    id: DocumentId,
    include_archived: bool,
) -> Result<DocumentRow, StoreError> {
    let mut query = documents::table.find(id).into_boxed();
    if !include_archived {
        query = query.filter(documents::archived_at.is_null());
    }
    Ok(query.select(DocumentRow::as_select()).first(conn)?)
}

/// The live document with these bytes on this record, if there is one (archived ones too: the
/// file is there, only set aside).
pub fn same_file(
    conn: &mut AnyConnection,
    owner: DocumentOwner,
    owner_id: i64,
    sha256: &str,
) -> Result<Option<DocumentId>, StoreError> {
    Ok(documents::table
        .filter(documents::owner_kind.eq(owner.as_str()))
        .filter(documents::owner_id.eq(owner_id))
        .filter(documents::sha256.eq(sha256))
        .filter(documents::purged_at.is_null())
        .select(documents::id)
        .first(conn)
        .optional()?)
}

/// Filters of one record's documents.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    pub kind: Option<DocumentKind>,
    pub include_archived: bool,
}

/// One record's documents, oldest first, and how many there are.
pub fn list(
    conn: &mut AnyConnection,
    owner: DocumentOwner,
    owner_id: i64,
    filter: &DocumentFilter,
    paging: Paging,
) -> Result<(Vec<DocumentRow>, Total), StoreError> {
    let filtered = || {
        let mut query = documents::table
            .filter(documents::owner_kind.eq(owner.as_str()))
            .filter(documents::owner_id.eq(owner_id))
            .into_boxed();
        if let Some(kind) = filter.kind {
            query = query.filter(documents::kind.eq(kind.as_str()));
        }
        if !filter.include_archived {
            query = query.filter(documents::archived_at.is_null());
        }
        query
    };
    let rows = filtered()
        .order(documents::id.asc())
        .select(DocumentRow::as_select())
        .limit(paging.limit)
        .offset(paging.offset)
        .load(conn)?;
    let count: i64 = filtered().count().get_result(conn)?;
    Ok((rows, Total { count, exact: true }))
}

/// How many documents a record still has bytes for.
pub fn live_count(
    conn: &mut AnyConnection,
    owner: DocumentOwner,
    owner_id: i64,
) -> Result<i64, StoreError> {
    Ok(documents::table
        .filter(documents::owner_kind.eq(owner.as_str()))
        .filter(documents::owner_id.eq(owner_id))
        .filter(documents::purged_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Takes an archived document back, if it is still at `expected_version`.
pub fn restore(
    conn: &mut AnyConnection,
    id: DocumentId,
    expected_version: i64,
) -> Result<(), StoreError> {
    let updated = diesel::update(
        documents::table
            .filter(documents::id.eq(id))
            .filter(documents::version.eq(expected_version)),
    )
    .set((
        documents::archived_at.eq(None::<NaiveDateTime>),
        documents::updated_at.eq(now_utc()),
        documents::version.eq(expected_version + 1),
    ))
    .execute(conn)?;
    crate::versioned::one_row(updated)
}

/// Marks a document purged (and archived), if it is still at `expected_version`: its bytes are
/// to be deleted, its record stays.
pub fn purge(
    conn: &mut AnyConnection,
    id: DocumentId,
    expected_version: i64,
    reason: &str,
    archived_at: Option<NaiveDateTime>,
) -> Result<(), StoreError> {
    let now = now_utc();
    let updated = diesel::update(
        documents::table
            .filter(documents::id.eq(id))
            .filter(documents::version.eq(expected_version)),
    )
    .set((
        documents::purged_at.eq(Some(now)),
        documents::purge_reason.eq(Some(reason)),
        documents::archived_at.eq(Some(archived_at.unwrap_or(now))),
        documents::updated_at.eq(now),
        documents::version.eq(expected_version + 1),
    ))
    .execute(conn)?;
    crate::versioned::one_row(updated)
}

/// Which of `keys` a document still needs (not purged): the others are orphans.
pub fn live_keys(conn: &mut AnyConnection, keys: &[String]) -> Result<Vec<String>, StoreError> {
    let mut live = Vec::new();
    for chunk in keys.chunks(500) {
        live.extend(
            documents::table
                .filter(documents::storage_key.eq_any(chunk))
                .filter(documents::purged_at.is_null())
                .select(documents::storage_key)
                .load::<String>(conn)?,
        );
    }
    Ok(live)
}
