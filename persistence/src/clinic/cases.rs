//! Clinic cases, their team and mentors, and their transition history.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use klinik_domain::clinic::case::{CaseAction, CaseStatus};
use klinik_domain::clinic::outcome::Outcome;
use klinik_domain::clinic::{DiagnosisStatus, MemberDuty, ReferralSource, SubjectKind};
use klinik_domain::cooperative::MembershipArea;

use super::Paging;
use crate::ids::{CaseId, CooperativeId, ExpertId, ProgrammeId, UkmId};
use crate::schema::{
    case_members, case_outcomes, case_transitions, cases, cooperatives, diagnoses, ukm,
};
use crate::{AnyConnection, EnumText, Parsed, StoreError, Total, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = cases)]
pub struct CaseRow {
    pub id: CaseId,
    pub programme_id: ProgrammeId,
    #[diesel(deserialize_as = Parsed<SubjectKind>)]
    pub subject_kind: SubjectKind,
    pub cooperative_id: Option<CooperativeId>,
    pub ukm_id: Option<UkmId>,
    #[diesel(deserialize_as = Parsed<ReferralSource>)]
    pub referral_source: ReferralSource,
    #[diesel(deserialize_as = Parsed<CaseStatus>)]
    pub status: CaseStatus,
    pub registered_on: NaiveDate,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = cases, treat_none_as_null = true)]
pub struct NewCase {
    pub programme_id: ProgrammeId,
    #[diesel(serialize_as = EnumText)]
    pub subject_kind: SubjectKind,
    pub cooperative_id: Option<CooperativeId>,
    pub ukm_id: Option<UkmId>,
    #[diesel(serialize_as = EnumText)]
    pub referral_source: ReferralSource,
    #[diesel(serialize_as = EnumText)]
    pub status: CaseStatus,
    pub registered_on: NaiveDate,
}

/// A member of a case: on the diagnosis team (one of them the lead) or a mentor.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_members)]
pub struct CaseMemberRow {
    pub case_id: CaseId,
    pub expert_id: ExpertId,
    #[diesel(deserialize_as = Parsed<MemberDuty>, serialize_as = EnumText)]
    pub duty: MemberDuty,
    pub is_lead: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = case_transitions)]
pub struct TransitionRow {
    pub id: i64,
    pub case_id: CaseId,
    #[diesel(deserialize_as = Parsed<CaseAction>)]
    pub action: CaseAction,
    #[diesel(deserialize_as = Parsed<CaseStatus>)]
    pub from_status: CaseStatus,
    #[diesel(deserialize_as = Parsed<CaseStatus>)]
    pub to_status: CaseStatus,
    pub note: Option<String>,
    pub actor_type: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub created_at: NaiveDateTime,
    pub effective_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = case_transitions, treat_none_as_null = true)]
pub struct NewTransition {
    pub case_id: CaseId,
    #[diesel(serialize_as = EnumText)]
    pub action: CaseAction,
    #[diesel(serialize_as = EnumText)]
    pub from_status: CaseStatus,
    #[diesel(serialize_as = EnumText)]
    pub to_status: CaseStatus,
    pub note: Option<String>,
    pub actor_type: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub effective_on: NaiveDate,
}

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Only records changed at or after this time (a sync's catch-up).
    pub updated_since: Option<chrono::NaiveDateTime>,
    pub programme_id: Option<ProgrammeId>,
    pub subject_kind: Option<SubjectKind>,
    pub status: Option<CaseStatus>,
    /// The kelurahan of a kecamatan: the subject's address must be one of them.
    pub kelurahan_codes: Option<Vec<String>>,
    /// Only cases on whose team or mentors this expert is.
    pub member_expert_id: Option<ExpertId>,
    /// Only cases whose diagnosis team includes one of these experts (an assessor's own cases).
    pub team_of: Option<Vec<ExpertId>>,
    pub year: Option<i32>,
    /// The year of the case's first final diagnosis (the final one that amends none).
    pub final_diagnosis_year: Option<i32>,
    pub outcome: Option<Outcome>,
    /// The year the case's closing took effect.
    pub closed_year: Option<i32>,
}

/// The first and last day of `year`.
fn year_bounds(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(year, 1, 1)?,
        NaiveDate::from_ymd_opt(year, 12, 31)?,
    ))
}

pub fn insert(conn: &mut AnyConnection, new: NewCase) -> Result<CaseRow, StoreError> {
    let now = now_utc();
    Ok(diesel::insert_into(cases::table)
        .values((
            new,
            cases::version.eq(1),
            cases::created_at.eq(now),
            cases::updated_at.eq(now),
        ))
        .returning(cases::all_columns)
        .get_result(conn)?)
}

pub fn find(conn: &mut AnyConnection, id: CaseId) -> Result<CaseRow, StoreError> {
    Ok(cases::table
        .filter(cases::id.eq(id))
        .select(CaseRow::as_select())
        .first(conn)?)
}

type Backend = <AnyConnection as diesel::Connection>::Backend;

fn filtered(filter: &CaseFilter) -> cases::BoxedQuery<'static, Backend> {
    let mut query = cases::table.into_boxed();
    if let Some(since) = filter.updated_since {
        query = query.filter(cases::updated_at.ge(since));
    }
    if let Some(id) = filter.programme_id {
        query = query.filter(cases::programme_id.eq(id));
    }
    if let Some(kind) = filter.subject_kind {
        query = query.filter(cases::subject_kind.eq(kind.as_str()));
    }
    if let Some(status) = filter.status {
        query = query.filter(cases::status.eq(status.as_str()));
    }
    if let Some(codes) = &filter.kelurahan_codes {
        let in_area_cooperatives = cooperatives::table
            .filter(cooperatives::kelurahan_code.eq_any(codes.clone()))
            .select(cooperatives::id.nullable());
        let in_area_ukm = ukm::table
            .filter(ukm::kelurahan_code.eq_any(codes.clone()))
            .select(ukm::id.nullable());
        query = query.filter(
            cases::cooperative_id
                .eq_any(in_area_cooperatives)
                .or(cases::ukm_id.eq_any(in_area_ukm)),
        );
    }
    if let Some(expert) = filter.member_expert_id {
        let theirs = case_members::table
            .filter(case_members::expert_id.eq(expert))
            .select(case_members::case_id);
        query = query.filter(cases::id.eq_any(theirs));
    }
    if let Some(experts) = &filter.team_of {
        let theirs = case_members::table
            .filter(case_members::expert_id.eq_any(experts.clone()))
            .filter(case_members::duty.eq(MemberDuty::Team.as_str()))
            .select(case_members::case_id);
        query = query.filter(cases::id.eq_any(theirs));
    }
    if let Some((first, last)) = filter.year.and_then(year_bounds) {
        query = query.filter(cases::registered_on.between(first, last));
    }
    if let Some((first, last)) = filter.final_diagnosis_year.and_then(year_bounds) {
        let helped = diagnoses::table
            .filter(diagnoses::status.eq(DiagnosisStatus::Final.as_str()))
            .filter(diagnoses::supersedes_id.is_null())
            .filter(diagnoses::diagnosed_on.between(first, last))
            .select(diagnoses::case_id);
        query = query.filter(cases::id.eq_any(helped));
    }
    if let Some(outcome) = filter.outcome {
        let with_outcome = case_outcomes::table
            .filter(case_outcomes::outcome.eq(outcome.as_str()))
            .select(case_outcomes::case_id);
        query = query.filter(cases::id.eq_any(with_outcome));
    }
    if let Some((first, last)) = filter.closed_year.and_then(year_bounds) {
        let closed = case_outcomes::table
            .filter(case_outcomes::decided_on.between(first, last))
            .select(case_outcomes::case_id);
        query = query.filter(cases::id.eq_any(closed));
    }
    query
}

/// One page, newest registration first, and the exact total (a city's clinic holds hundreds of
/// cases a year, not millions).
pub fn list(
    conn: &mut AnyConnection,
    filter: &CaseFilter,
    paging: Paging,
) -> Result<(Vec<CaseRow>, Total), StoreError> {
    let rows = filtered(filter)
        .order((cases::registered_on.desc(), cases::id.desc()))
        .select(CaseRow::as_select())
        .limit(paging.limit)
        .offset(paging.offset)
        .load(conn)?;
    let count: i64 = filtered(filter).count().get_result(conn)?;
    Ok((rows, Total { count, exact: true }))
}

/// Bumps the version (and sets the status) if the case is still at `expected_version`.
pub fn set_status(
    conn: &mut AnyConnection,
    id: CaseId,
    expected_version: i64,
    status: CaseStatus,
) -> Result<(), StoreError> {
    let updated = diesel::update(
        cases::table
            .filter(cases::id.eq(id))
            .filter(cases::version.eq(expected_version)),
    )
    .set((
        cases::status.eq(status.as_str()),
        cases::version.eq(expected_version + 1),
        cases::updated_at.eq(now_utc()),
    ))
    .execute(conn)?;
    crate::versioned::one_row(updated)
}

/// Sets the referral source, bumping the version, if the case is still at `expected_version`.
pub fn set_referral_source(
    conn: &mut AnyConnection,
    id: CaseId,
    expected_version: i64,
    referral_source: ReferralSource,
) -> Result<(), StoreError> {
    let updated = diesel::update(
        cases::table
            .filter(cases::id.eq(id))
            .filter(cases::version.eq(expected_version)),
    )
    .set((
        cases::referral_source.eq(referral_source.as_str()),
        cases::version.eq(expected_version + 1),
        cases::updated_at.eq(now_utc()),
    ))
    .execute(conn)?;
    crate::versioned::one_row(updated)
}

/// Members of the given cases: team first (lead first), then mentors.
pub fn members_of(
    conn: &mut AnyConnection,
    ids: &[CaseId],
) -> Result<Vec<CaseMemberRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(case_members::table
        .filter(case_members::case_id.eq_any(ids))
        .order((
            case_members::case_id,
            case_members::duty.desc(),
            case_members::is_lead.desc(),
            case_members::expert_id,
        ))
        .select(CaseMemberRow::as_select())
        .load(conn)?)
}

/// Those of `ids` whose diagnosis team includes `expert`.
pub fn on_team_of(
    conn: &mut AnyConnection,
    expert: ExpertId,
    ids: &[CaseId],
) -> Result<Vec<CaseId>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(case_members::table
        .filter(case_members::case_id.eq_any(ids))
        .filter(case_members::expert_id.eq(expert))
        .filter(case_members::duty.eq(MemberDuty::Team.as_str()))
        .select(case_members::case_id)
        .load(conn)?)
}

/// Replaces the members of one duty (`team` or `mentor`) of a case.
pub fn replace_members(
    conn: &mut AnyConnection,
    case_id: CaseId,
    duty: MemberDuty,
    members: &[CaseMemberRow],
) -> Result<(), StoreError> {
    diesel::delete(
        case_members::table
            .filter(case_members::case_id.eq(case_id))
            .filter(case_members::duty.eq(duty.as_str())),
    )
    .execute(conn)?;
    for member in members {
        diesel::insert_into(case_members::table)
            .values(member.clone())
            .execute(conn)?;
    }
    Ok(())
}

pub fn append_transition(
    conn: &mut AnyConnection,
    transition: NewTransition,
) -> Result<TransitionRow, StoreError> {
    Ok(diesel::insert_into(case_transitions::table)
        .values((transition, case_transitions::created_at.eq(now_utc())))
        .returning(case_transitions::all_columns)
        .get_result(conn)?)
}

/// A case's transitions, oldest first.
pub fn transitions_of(
    conn: &mut AnyConnection,
    case_id: CaseId,
) -> Result<Vec<TransitionRow>, StoreError> {
    Ok(case_transitions::table
        .filter(case_transitions::case_id.eq(case_id))
        .order(case_transitions::id.asc())
        .select(TransitionRow::as_select())
        .load(conn)?)
}

/// What a case shows of its subject: id, name, kelurahan and (for a cooperative) membership area.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct SubjectRow {
    pub id: i64,
    pub name: String,
    pub kelurahan_code: String,
    pub membership_area: Option<MembershipArea>,
    pub archived: bool,
}

/// A cooperative as a case's subject: id, name, kelurahan, membership area, archived at.
type CooperativeSubject = (
    CooperativeId,
    String,
    String,
    Parsed<MembershipArea>,
    Option<NaiveDateTime>,
);

pub fn cooperative_subjects(
    conn: &mut AnyConnection,
    ids: &[CooperativeId],
) -> Result<Vec<SubjectRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<CooperativeSubject> = cooperatives::table
        .filter(cooperatives::id.eq_any(ids))
        .select((
            cooperatives::id,
            cooperatives::name,
            cooperatives::kelurahan_code,
            cooperatives::membership_area,
            cooperatives::archived_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, kelurahan_code, area, archived)| SubjectRow {
            id: id.get(),
            name,
            kelurahan_code,
            membership_area: Some(area.0),
            archived: archived.is_some(),
        })
        .collect())
}

pub fn ukm_subjects(
    conn: &mut AnyConnection,
    ids: &[UkmId],
) -> Result<Vec<SubjectRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(UkmId, String, String, Option<NaiveDateTime>)> = ukm::table
        .filter(ukm::id.eq_any(ids))
        .select((
            ukm::id,
            ukm::business_name,
            ukm::kelurahan_code,
            ukm::archived_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, kelurahan_code, archived)| SubjectRow {
            id: id.get(),
            name,
            kelurahan_code,
            membership_area: None,
            archived: archived.is_some(),
        })
        .collect())
}

/// `(case_id, programme_id)` of the given cases that exist.
pub fn programmes_of(
    conn: &mut AnyConnection,
    ids: &[CaseId],
) -> Result<Vec<(CaseId, ProgrammeId)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(cases::table
        .filter(cases::id.eq_any(ids))
        .select((cases::id, cases::programme_id))
        .load(conn)?)
}
