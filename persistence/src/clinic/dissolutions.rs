//! Dissolution proposals for cooperatives the clinic cannot cure, with their reasons.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Paging;
use crate::schema::{dissolution_proposal_reasons, dissolution_proposals};
use crate::{AnyConnection, StoreError, Total, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = dissolution_proposals)]
pub struct ProposalRow {
    pub id: i64,
    pub case_id: i64,
    pub cooperative_id: i64,
    pub status: String,
    pub note: Option<String>,
    pub previous_override: Option<String>,
    pub previous_override_reason: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = dissolution_proposals, treat_none_as_null = true)]
pub struct NewProposal {
    pub case_id: i64,
    pub cooperative_id: i64,
    pub note: Option<String>,
    pub previous_override: Option<String>,
    pub previous_override_reason: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ProposalFilter {
    pub status: Option<String>,
    pub cooperative_id: Option<i64>,
    pub case_id: Option<i64>,
}

pub fn insert(
    conn: &mut AnyConnection,
    new: &NewProposal,
    reasons: &[&str],
) -> Result<ProposalRow, StoreError> {
    let now = now_utc();
    let row: ProposalRow = diesel::insert_into(dissolution_proposals::table)
        .values((
            new,
            dissolution_proposals::status.eq("submitted"),
            dissolution_proposals::version.eq(1),
            dissolution_proposals::created_at.eq(now),
            dissolution_proposals::updated_at.eq(now),
        ))
        .returning(dissolution_proposals::all_columns)
        .get_result(conn)?;
    for reason in reasons {
        diesel::insert_into(dissolution_proposal_reasons::table)
            .values((
                dissolution_proposal_reasons::proposal_id.eq(row.id),
                dissolution_proposal_reasons::reason.eq(reason),
            ))
            .execute(conn)?;
    }
    Ok(row)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<ProposalRow, StoreError> {
    Ok(dissolution_proposals::table
        .filter(dissolution_proposals::id.eq(id))
        .select(ProposalRow::as_select())
        .first(conn)?)
}

type Backend = <AnyConnection as diesel::Connection>::Backend;

fn filtered(filter: &ProposalFilter) -> dissolution_proposals::BoxedQuery<'static, Backend> {
    let mut query = dissolution_proposals::table.into_boxed();
    if let Some(status) = &filter.status {
        query = query.filter(dissolution_proposals::status.eq(status.clone()));
    }
    if let Some(id) = filter.cooperative_id {
        query = query.filter(dissolution_proposals::cooperative_id.eq(id));
    }
    if let Some(id) = filter.case_id {
        query = query.filter(dissolution_proposals::case_id.eq(id));
    }
    query
}

/// One page, newest first, and the exact total.
pub fn list(
    conn: &mut AnyConnection,
    filter: &ProposalFilter,
    paging: Paging,
) -> Result<(Vec<ProposalRow>, Total), StoreError> {
    let rows = filtered(filter)
        .order(dissolution_proposals::id.desc())
        .select(ProposalRow::as_select())
        .limit(paging.limit)
        .offset(paging.offset)
        .load(conn)?;
    let count: i64 = filtered(filter).count().get_result(conn)?;
    Ok((rows, Total { count, exact: true }))
}

/// `(proposal_id, reason)` of the given proposals.
pub fn reasons_of(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(dissolution_proposal_reasons::table
        .filter(dissolution_proposal_reasons::proposal_id.eq_any(ids))
        .order((
            dissolution_proposal_reasons::proposal_id,
            dissolution_proposal_reasons::reason,
        ))
        .select((
            dissolution_proposal_reasons::proposal_id,
            dissolution_proposal_reasons::reason,
        ))
        .load(conn)?)
}

/// Sets the status (and, when given, the note) if the proposal is still at `expected_version`.
pub fn set_status(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: i64,
    status: &str,
    note: Option<&str>,
) -> Result<(), StoreError> {
    if let Some(note) = note {
        diesel::update(dissolution_proposals::table.filter(dissolution_proposals::id.eq(id)))
            .set(dissolution_proposals::note.eq(note))
            .execute(conn)?;
    }
    let updated = diesel::update(
        dissolution_proposals::table
            .filter(dissolution_proposals::id.eq(id))
            .filter(dissolution_proposals::version.eq(expected_version)),
    )
    .set((
        dissolution_proposals::status.eq(status),
        dissolution_proposals::version.eq(expected_version + 1),
        dissolution_proposals::updated_at.eq(now_utc()),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}
