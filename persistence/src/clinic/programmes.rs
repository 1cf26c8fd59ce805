//! Programmes: the clinic's yearly cohorts, with their targets and funding partners.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Paging;
use crate::ids::{InstrumentId, PartnerId, ProgrammeId};
use crate::schema::{programme_funders, programmes};
use crate::search::lower;
use crate::{AnyConnection, StoreError, Total, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = programmes)]
pub struct ProgrammeRow {
    pub id: ProgrammeId,
    pub name: String,
    pub year: i32,
    pub target_cooperatives_helped: i32,
    pub target_cooperatives_good: i32,
    pub target_ukm_helped: Option<i32>,
    pub target_ukm_good: Option<i32>,
    pub horizon_years: i32,
    pub default_instrument_id: Option<InstrumentId>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub archived_at: Option<NaiveDateTime>,
}

/// Every column a client sets; an update writes them all (the API merges a patch first).
#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = programmes, treat_none_as_null = true)]
pub struct ProgrammeFields {
    pub name: String,
    pub year: i32,
    pub target_cooperatives_helped: i32,
    pub target_cooperatives_good: i32,
    pub target_ukm_helped: Option<i32>,
    pub target_ukm_good: Option<i32>,
    pub horizon_years: i32,
    pub default_instrument_id: Option<InstrumentId>,
}

#[derive(Debug, Clone, Default)]
pub struct ProgrammeFilter {
    /// Only records changed at or after this time (a sync's catch-up).
    pub updated_since: Option<chrono::NaiveDateTime>,
    pub year: Option<i32>,
    pub q: Option<String>,
    pub include_archived: bool,
}

pub fn insert(
    conn: &mut AnyConnection,
    fields: &ProgrammeFields,
) -> Result<ProgrammeRow, StoreError> {
    let now = now_utc();
    Ok(diesel::insert_into(programmes::table)
        .values((
            fields,
            programmes::version.eq(1),
            programmes::created_at.eq(now),
            programmes::updated_at.eq(now),
        ))
        .returning(programmes::all_columns)
        .get_result(conn)?)
}

pub fn find(
    conn: &mut AnyConnection,
    id: ProgrammeId,
    include_archived: bool,
) -> Result<ProgrammeRow, StoreError> {
    let mut query = programmes::table.filter(programmes::id.eq(id)).into_boxed();
    if !include_archived {
        query = query.filter(programmes::archived_at.is_null());
    }
    Ok(query.select(ProgrammeRow::as_select()).first(conn)?)
}

type Backend = <AnyConnection as diesel::Connection>::Backend;

fn filtered(filter: &ProgrammeFilter) -> programmes::BoxedQuery<'static, Backend> {
    let mut query = programmes::table.into_boxed();
    if !filter.include_archived {
        query = query.filter(programmes::archived_at.is_null());
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(programmes::updated_at.ge(since));
    }
    if let Some(year) = filter.year {
        query = query.filter(programmes::year.eq(year));
    }
    if let Some(term) = &filter.q {
        query = query.filter(
            lower(programmes::name)
                .like(crate::like_pattern(term))
                .escape('\\'),
        );
    }
    query
}

/// One page, newest year first, and the exact total.
pub fn list(
    conn: &mut AnyConnection,
    filter: &ProgrammeFilter,
    paging: Paging,
) -> Result<(Vec<ProgrammeRow>, Total), StoreError> {
    let rows = filtered(filter)
        .order((programmes::year.desc(), programmes::id.desc()))
        .select(ProgrammeRow::as_select())
        .limit(paging.limit)
        .offset(paging.offset)
        .load(conn)?;
    let count: i64 = filtered(filter).count().get_result(conn)?;
    Ok((rows, Total { count, exact: true }))
}

crate::versioned_writes!(programmes, ProgrammeId, &ProgrammeFields, archive);

/// `(programme_id, partner_id)` of the given programmes' funders.
pub fn funders_of(
    conn: &mut AnyConnection,
    ids: &[ProgrammeId],
) -> Result<Vec<(ProgrammeId, PartnerId)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(programme_funders::table
        .filter(programme_funders::programme_id.eq_any(ids))
        .order((
            programme_funders::programme_id,
            programme_funders::partner_id,
        ))
        .select((
            programme_funders::programme_id,
            programme_funders::partner_id,
        ))
        .load(conn)?)
}

/// Replaces a programme's funding partners.
pub fn replace_funders(
    conn: &mut AnyConnection,
    programme_id: ProgrammeId,
    partner_ids: &[PartnerId],
) -> Result<(), StoreError> {
    diesel::delete(
        programme_funders::table.filter(programme_funders::programme_id.eq(programme_id)),
    )
    .execute(conn)?;
    for partner_id in partner_ids {
        diesel::insert_into(programme_funders::table)
            .values((
                programme_funders::programme_id.eq(programme_id),
                programme_funders::partner_id.eq(partner_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}
