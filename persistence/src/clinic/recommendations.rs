//! Recommendations on final diagnoses, the findings they answer, their capital, and their
//! status history.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use klinik_domain::clinic::MemberDuty;
use klinik_domain::clinic::recommendation::{
    FinancingScheme, RecommendationKind, RecommendationStatus,
};

use super::Paging;
use crate::ids::{
    CaseId, DiagnosisId, ExpertId, FindingId, PartnerId, ProgrammeId, RecommendationId, UserId,
};
use crate::schema::{
    case_members, cases, diagnoses, recommendation_findings, recommendation_transitions,
    recommendations,
};
use crate::{
    AnyConnection, EnumText, NullableEnumText, Parsed, ParsedOpt, StoreError, Total, now_utc,
};

/// The statuses in which a recommendation is still open, as stored.
const OPEN: [&str; 3] = [
    RecommendationStatus::Proposed.as_str(),
    RecommendationStatus::Agreed.as_str(),
    RecommendationStatus::InProgress.as_str(),
];

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = recommendations)]
pub struct RecommendationRow {
    pub id: RecommendationId,
    pub case_id: CaseId,
    pub diagnosis_id: DiagnosisId,
    #[diesel(deserialize_as = Parsed<RecommendationKind>)]
    pub kind: RecommendationKind,
    pub description: String,
    pub responsible_expert_id: Option<ExpertId>,
    pub responsible_partner_id: Option<PartnerId>,
    pub responsible_user_id: Option<UserId>,
    pub due_on: Option<NaiveDate>,
    #[diesel(deserialize_as = Parsed<RecommendationStatus>)]
    pub status: RecommendationStatus,
    #[diesel(deserialize_as = ParsedOpt<FinancingScheme>)]
    pub financing_scheme: Option<FinancingScheme>,
    pub bank_partner_id: Option<PartnerId>,
    pub amount_requested: Option<i64>,
    pub amount_approved: Option<i64>,
    pub approved_on: Option<NaiveDate>,
    pub amount_disbursed: Option<i64>,
    pub disbursed_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What the team writes: everything but the case, the diagnosis and the status. An update
/// writes all of it.
#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = recommendations, treat_none_as_null = true)]
pub struct RecommendationFields {
    #[diesel(serialize_as = EnumText)]
    pub kind: RecommendationKind,
    pub description: String,
    pub responsible_expert_id: Option<ExpertId>,
    pub responsible_partner_id: Option<PartnerId>,
    pub responsible_user_id: Option<UserId>,
    pub due_on: Option<NaiveDate>,
    #[diesel(serialize_as = NullableEnumText)]
    pub financing_scheme: Option<FinancingScheme>,
    pub bank_partner_id: Option<PartnerId>,
    pub amount_requested: Option<i64>,
    pub amount_approved: Option<i64>,
    pub approved_on: Option<NaiveDate>,
    pub amount_disbursed: Option<i64>,
    pub disbursed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = recommendation_transitions)]
pub struct RecommendationTransitionRow {
    pub id: i64,
    pub recommendation_id: RecommendationId,
    #[diesel(deserialize_as = Parsed<RecommendationStatus>)]
    pub from_status: RecommendationStatus,
    #[diesel(deserialize_as = Parsed<RecommendationStatus>)]
    pub to_status: RecommendationStatus,
    pub note: Option<String>,
    pub actor_type: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = recommendation_transitions, treat_none_as_null = true)]
pub struct NewRecommendationTransition {
    pub recommendation_id: RecommendationId,
    #[diesel(serialize_as = EnumText)]
    pub from_status: RecommendationStatus,
    #[diesel(serialize_as = EnumText)]
    pub to_status: RecommendationStatus,
    pub note: Option<String>,
    pub actor_type: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct RecommendationFilter {
    /// Only records changed at or after this time (a sync's catch-up).
    pub updated_since: Option<chrono::NaiveDateTime>,
    pub programme_id: Option<ProgrammeId>,
    pub case_id: Option<CaseId>,
    pub diagnosis_id: Option<DiagnosisId>,
    pub kind: Option<RecommendationKind>,
    pub status: Option<RecommendationStatus>,
    pub financing_scheme: Option<FinancingScheme>,
    pub bank_partner_id: Option<PartnerId>,
    pub responsible_expert_id: Option<ExpertId>,
    pub responsible_partner_id: Option<PartnerId>,
    pub responsible_user_id: Option<UserId>,
    /// `(true, day)`: open recommendations whose due date is before `day`; `(false, day)`: all
    /// others.
    pub overdue: Option<(bool, NaiveDate)>,
    /// Only recommendations of cases whose diagnosis team includes one of these experts (an
    /// assessor's own).
    pub team_of: Option<Vec<ExpertId>>,
    /// Only recommendations on diagnoses dated in this year (as the indicators count them).
    pub year: Option<i32>,
}

pub fn insert(
    conn: &mut AnyConnection,
    case_id: CaseId,
    diagnosis_id: DiagnosisId,
    fields: RecommendationFields,
) -> Result<RecommendationRow, StoreError> {
    let now = now_utc();
    Ok(diesel::insert_into(recommendations::table)
        .values((
            fields,
            recommendations::case_id.eq(case_id),
            recommendations::diagnosis_id.eq(diagnosis_id),
            recommendations::status.eq(RecommendationStatus::Proposed.as_str()),
            recommendations::version.eq(1),
            recommendations::created_at.eq(now),
            recommendations::updated_at.eq(now),
        ))
        .returning(recommendations::all_columns)
        .get_result(conn)?)
}

pub fn find(
    conn: &mut AnyConnection,
    id: RecommendationId,
) -> Result<RecommendationRow, StoreError> {
    Ok(recommendations::table
        .filter(recommendations::id.eq(id))
        .select(RecommendationRow::as_select())
        .first(conn)?)
}

type Backend = <AnyConnection as diesel::Connection>::Backend;

fn filtered(filter: &RecommendationFilter) -> recommendations::BoxedQuery<'static, Backend> {
    use recommendations as r;
    let mut query = r::table.into_boxed();
    if let Some(since) = filter.updated_since {
        query = query.filter(r::updated_at.ge(since));
    }
    if let Some(id) = filter.programme_id {
        let of_programme = cases::table
            .filter(cases::programme_id.eq(id))
            .select(cases::id);
        query = query.filter(r::case_id.eq_any(of_programme));
    }
    if let Some(id) = filter.case_id {
        query = query.filter(r::case_id.eq(id));
    }
    if let Some(id) = filter.diagnosis_id {
        query = query.filter(r::diagnosis_id.eq(id));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(r::kind.eq(kind.as_str()));
    }
    if let Some(status) = filter.status {
        query = query.filter(r::status.eq(status.as_str()));
    }
    if let Some(scheme) = filter.financing_scheme {
        query = query.filter(r::financing_scheme.eq(scheme.as_str()));
    }
    if let Some(id) = filter.bank_partner_id {
        query = query.filter(r::bank_partner_id.eq(id));
    }
    if let Some(id) = filter.responsible_expert_id {
        query = query.filter(r::responsible_expert_id.eq(id));
    }
    if let Some(id) = filter.responsible_partner_id {
        query = query.filter(r::responsible_partner_id.eq(id));
    }
    if let Some(id) = filter.responsible_user_id {
        query = query.filter(r::responsible_user_id.eq(id));
    }
    let open = OPEN;
    match filter.overdue {
        Some((true, day)) => {
            query = query
                .filter(r::due_on.lt(day))
                .filter(r::status.eq_any(open));
        }
        Some((false, day)) => {
            query = query.filter(
                r::due_on
                    .is_null()
                    .or(r::due_on.ge(day))
                    .or(r::status.ne_all(open)),
            );
        }
        None => {}
    }
    if let Some(year) = filter.year {
        let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
        let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
        let of_year = diagnoses::table
            .filter(diagnoses::diagnosed_on.between(first, last))
            .select(diagnoses::id);
        query = query.filter(r::diagnosis_id.eq_any(of_year));
    }
    if let Some(experts) = &filter.team_of {
        let theirs = case_members::table
            .filter(case_members::expert_id.eq_any(experts.clone()))
            .filter(case_members::duty.eq(MemberDuty::Team.as_str()))
            .select(case_members::case_id);
        query = query.filter(r::case_id.eq_any(theirs));
    }
    query
}

/// One page in the order they were made, and the exact total.
pub fn list(
    conn: &mut AnyConnection,
    filter: &RecommendationFilter,
    paging: Paging,
) -> Result<(Vec<RecommendationRow>, Total), StoreError> {
    let rows = filtered(filter)
        .order(recommendations::id.asc())
        .select(RecommendationRow::as_select())
        .limit(paging.limit)
        .offset(paging.offset)
        .load(conn)?;
    let count: i64 = filtered(filter).count().get_result(conn)?;
    Ok((rows, Total { count, exact: true }))
}

// Writes the team's fields if the recommendation is still at `expected_version`.
crate::versioned_writes!(recommendations, RecommendationId, RecommendationFields);

pub fn set_status(
    conn: &mut AnyConnection,
    id: RecommendationId,
    expected_version: i64,
    status: RecommendationStatus,
) -> Result<(), StoreError> {
    let updated = diesel::update(
        recommendations::table
            .filter(recommendations::id.eq(id))
            .filter(recommendations::version.eq(expected_version)),
    )
    .set((
        recommendations::status.eq(status.as_str()),
        recommendations::version.eq(expected_version + 1),
        recommendations::updated_at.eq(now_utc()),
    ))
    .execute(conn)?;
    crate::versioned::one_row(updated)
}

/// `(recommendation_id, finding_id)` of the given recommendations.
pub fn findings_of(
    conn: &mut AnyConnection,
    ids: &[RecommendationId],
) -> Result<Vec<(RecommendationId, FindingId)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(recommendation_findings::table
        .filter(recommendation_findings::recommendation_id.eq_any(ids))
        .order((
            recommendation_findings::recommendation_id,
            recommendation_findings::finding_id,
        ))
        .select((
            recommendation_findings::recommendation_id,
            recommendation_findings::finding_id,
        ))
        .load(conn)?)
}

pub fn replace_findings(
    conn: &mut AnyConnection,
    recommendation_id: RecommendationId,
    finding_ids: &[FindingId],
) -> Result<(), StoreError> {
    diesel::delete(
        recommendation_findings::table
            .filter(recommendation_findings::recommendation_id.eq(recommendation_id)),
    )
    .execute(conn)?;
    for finding_id in finding_ids {
        diesel::insert_into(recommendation_findings::table)
            .values((
                recommendation_findings::recommendation_id.eq(recommendation_id),
                recommendation_findings::finding_id.eq(finding_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn append_transition(
    conn: &mut AnyConnection,
    new: NewRecommendationTransition,
) -> Result<(), StoreError> {
    diesel::insert_into(recommendation_transitions::table)
        .values((new, recommendation_transitions::created_at.eq(now_utc())))
        .execute(conn)?;
    Ok(())
}

pub fn transitions_of(
    conn: &mut AnyConnection,
    id: RecommendationId,
) -> Result<Vec<RecommendationTransitionRow>, StoreError> {
    Ok(recommendation_transitions::table
        .filter(recommendation_transitions::recommendation_id.eq(id))
        .order(recommendation_transitions::id.asc())
        .select(RecommendationTransitionRow::as_select())
        .load(conn)?)
}

/// How many of a case's recommendations have ever been agreed (agreed, in progress or
/// done, or not done after being agreed), and how many exist.
pub fn counts_of_case(
    conn: &mut AnyConnection,
    case_id: CaseId,
) -> Result<(usize, usize), StoreError> {
    let statuses: Vec<Parsed<RecommendationStatus>> = recommendations::table
        .filter(recommendations::case_id.eq(case_id))
        .select(recommendations::status)
        .load(conn)?;
    let agreed = statuses
        .iter()
        .filter(|s| {
            use RecommendationStatus::*;
            matches!(s.0, Agreed | InProgress | Done | NotDone)
        })
        .count();
    Ok((agreed, statuses.len()))
}
