//! Dissolution proposals for cooperatives the clinic cannot cure, with their reasons.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use klinik_domain::activity_status::ActivityStatus;
use klinik_domain::clinic::MemberDuty;
use klinik_domain::clinic::outcome::{DissolutionReason, ProposalStatus};

use super::Paging;
use crate::ids::{CaseId, CooperativeId, DissolutionProposalId, ExpertId};
use crate::schema::{case_members, dissolution_proposal_reasons, dissolution_proposals};
use crate::{AnyConnection, NullableEnumText, Parsed, ParsedOpt, StoreError, Total, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = dissolution_proposals)]
pub struct ProposalRow {
    pub id: DissolutionProposalId,
    pub case_id: CaseId,
    pub cooperative_id: CooperativeId,
    #[diesel(deserialize_as = Parsed<ProposalStatus>)]
    pub status: ProposalStatus,
    pub note: Option<String>,
    #[diesel(deserialize_as = ParsedOpt<ActivityStatus>)]
    pub previous_override: Option<ActivityStatus>,
    pub previous_override_reason: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = dissolution_proposals, treat_none_as_null = true)]
pub struct NewProposal {
    pub case_id: CaseId,
    pub cooperative_id: CooperativeId,
    pub note: Option<String>,
    #[diesel(serialize_as = NullableEnumText)]
    pub previous_override: Option<ActivityStatus>,
    pub previous_override_reason: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ProposalFilter {
    /// Only records changed at or after this time (a sync's catch-up).
    pub updated_since: Option<chrono::NaiveDateTime>,
    pub status: Option<ProposalStatus>,
    pub cooperative_id: Option<CooperativeId>,
    pub case_id: Option<CaseId>,
    /// Only proposals of cases whose diagnosis team includes one of these experts (an
    /// assessor's own).
    pub team_of: Option<Vec<ExpertId>>,
}

pub fn insert(
    conn: &mut AnyConnection,
    new: NewProposal,
    reasons: &[DissolutionReason],
) -> Result<ProposalRow, StoreError> {
    let now = now_utc();
    let row: ProposalRow = diesel::insert_into(dissolution_proposals::table)
        .values((
            new,
            dissolution_proposals::status.eq(ProposalStatus::Submitted.as_str()),
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
                dissolution_proposal_reasons::reason.eq(reason.as_str()),
            ))
            .execute(conn)?;
    }
    Ok(row)
}

pub fn find(
    conn: &mut AnyConnection,
    id: DissolutionProposalId,
) -> Result<ProposalRow, StoreError> {
    Ok(dissolution_proposals::table
        .filter(dissolution_proposals::id.eq(id))
        .select(ProposalRow::as_select())
        .first(conn)?)
}

type Backend = <AnyConnection as diesel::Connection>::Backend;

fn filtered(filter: &ProposalFilter) -> dissolution_proposals::BoxedQuery<'static, Backend> {
    let mut query = dissolution_proposals::table.into_boxed();
    if let Some(since) = filter.updated_since {
        query = query.filter(dissolution_proposals::updated_at.ge(since));
    }
    if let Some(status) = filter.status {
        query = query.filter(dissolution_proposals::status.eq(status.as_str()));
    }
    if let Some(id) = filter.cooperative_id {
        query = query.filter(dissolution_proposals::cooperative_id.eq(id));
    }
    if let Some(id) = filter.case_id {
        query = query.filter(dissolution_proposals::case_id.eq(id));
    }
    if let Some(experts) = &filter.team_of {
        let theirs = case_members::table
            .filter(case_members::expert_id.eq_any(experts.clone()))
            .filter(case_members::duty.eq(MemberDuty::Team.as_str()))
            .select(case_members::case_id);
        query = query.filter(dissolution_proposals::case_id.eq_any(theirs));
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
pub fn reasons_of(
    conn: &mut AnyConnection,
    ids: &[DissolutionProposalId],
) -> Result<Vec<(DissolutionProposalId, DissolutionReason)>, StoreError> {
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
        .load::<(DissolutionProposalId, Parsed<DissolutionReason>)>(conn)?
        .into_iter()
        .map(|(id, reason)| (id, reason.0))
        .collect())
}

/// Sets the status (and, when given, the note) if the proposal is still at `expected_version`.
pub fn set_status(
    conn: &mut AnyConnection,
    id: DissolutionProposalId,
    expected_version: i64,
    status: ProposalStatus,
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
        dissolution_proposals::status.eq(status.as_str()),
        dissolution_proposals::version.eq(expected_version + 1),
        dissolution_proposals::updated_at.eq(now_utc()),
    ))
    .execute(conn)?;
    crate::versioned::one_row(updated)
}
