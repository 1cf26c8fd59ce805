//! Partner institutions: universities, banks, the cooperative council and others.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use klinik_domain::clinic::PartnerKind;

use super::Paging;
use crate::ids::PartnerId;
use crate::schema::partners;
use crate::search::lower;
use crate::{AnyConnection, EnumText, Parsed, StoreError, Total, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = partners)]
pub struct PartnerRow {
    pub id: PartnerId,
    pub name: String,
    #[diesel(deserialize_as = Parsed<PartnerKind>)]
    pub kind: PartnerKind,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub archived_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = partners)]
pub struct PartnerFields {
    pub name: String,
    #[diesel(serialize_as = EnumText)]
    pub kind: PartnerKind,
}

#[derive(Debug, Clone, Default)]
pub struct PartnerFilter {
    /// Only records changed at or after this time (a sync's catch-up).
    pub updated_since: Option<chrono::NaiveDateTime>,
    pub kind: Option<PartnerKind>,
    /// Case-insensitive part of the name, taken literally.
    pub q: Option<String>,
    pub include_archived: bool,
}

pub fn insert(conn: &mut AnyConnection, fields: PartnerFields) -> Result<PartnerRow, StoreError> {
    let now = now_utc();
    Ok(diesel::insert_into(partners::table)
        .values((
            fields,
            partners::version.eq(1),
            partners::created_at.eq(now),
            partners::updated_at.eq(now),
        ))
        .returning(partners::all_columns)
        .get_result(conn)?)
}

pub fn find(
    conn: &mut AnyConnection,
    id: PartnerId,
    include_archived: bool,
) -> Result<PartnerRow, StoreError> {
    let mut query = partners::table.filter(partners::id.eq(id)).into_boxed();
    if !include_archived {
        query = query.filter(partners::archived_at.is_null());
    }
    Ok(query.select(PartnerRow::as_select()).first(conn)?)
}

type Backend = <AnyConnection as diesel::Connection>::Backend;

fn filtered(filter: &PartnerFilter) -> partners::BoxedQuery<'static, Backend> {
    let mut query = partners::table.into_boxed();
    if !filter.include_archived {
        query = query.filter(partners::archived_at.is_null());
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(partners::updated_at.ge(since));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(partners::kind.eq(kind.as_str()));
    }
    if let Some(term) = &filter.q {
        query = query.filter(
            lower(partners::name)
                .like(crate::like_pattern(term))
                .escape('\\'),
        );
    }
    query
}

/// One page by name, and the exact total.
pub fn list(
    conn: &mut AnyConnection,
    filter: &PartnerFilter,
    paging: Paging,
) -> Result<(Vec<PartnerRow>, Total), StoreError> {
    let rows = filtered(filter)
        .order((partners::name.asc(), partners::id.asc()))
        .select(PartnerRow::as_select())
        .limit(paging.limit)
        .offset(paging.offset)
        .load(conn)?;
    let count: i64 = filtered(filter).count().get_result(conn)?;
    Ok((rows, Total { count, exact: true }))
}

crate::versioned_writes!(partners, PartnerId, PartnerFields, archive);

/// Which of `ids` are partners that are not archived.
pub fn existing_ids(
    conn: &mut AnyConnection,
    ids: &[PartnerId],
) -> Result<Vec<PartnerId>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(partners::table
        .filter(partners::id.eq_any(ids))
        .filter(partners::archived_at.is_null())
        .select(partners::id)
        .load(conn)?)
}

/// The names of the given partners, for showing them beside their ids.
pub fn names(
    conn: &mut AnyConnection,
    ids: &[PartnerId],
) -> Result<Vec<(PartnerId, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(partners::table
        .filter(partners::id.eq_any(ids))
        .select((partners::id, partners::name))
        .load(conn)?)
}
