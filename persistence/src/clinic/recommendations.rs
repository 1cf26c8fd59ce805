//! Recommendations on final diagnoses, the findings they answer, their capital, and their
//! status history.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::Paging;
use crate::schema::{
    case_members, cases, diagnoses, recommendation_findings, recommendation_transitions,
    recommendations,
};
use crate::{AnyConnection, StoreError, Total, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = recommendations)]
pub struct RecommendationRow {
    pub id: i64,
    pub case_id: i64,
    pub diagnosis_id: i64,
    pub kind: String,
    pub description: String,
    pub responsible_expert_id: Option<i64>,
    pub responsible_partner_id: Option<i64>,
    pub responsible_user_id: Option<i64>,
    pub due_on: Option<NaiveDate>,
    pub status: String,
    pub financing_scheme: Option<String>,
    pub bank_partner_id: Option<i64>,
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
    pub kind: String,
    pub description: String,
    pub responsible_expert_id: Option<i64>,
    pub responsible_partner_id: Option<i64>,
    pub responsible_user_id: Option<i64>,
    pub due_on: Option<NaiveDate>,
    pub financing_scheme: Option<String>,
    pub bank_partner_id: Option<i64>,
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
    pub recommendation_id: i64,
    pub from_status: String,
    pub to_status: String,
    pub note: Option<String>,
    pub actor_type: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = recommendation_transitions, treat_none_as_null = true)]
pub struct NewRecommendationTransition {
    pub recommendation_id: i64,
    pub from_status: String,
    pub to_status: String,
    pub note: Option<String>,
    pub actor_type: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct RecommendationFilter {
    pub programme_id: Option<i64>,
    pub case_id: Option<i64>,
    pub diagnosis_id: Option<i64>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub financing_scheme: Option<String>,
    pub bank_partner_id: Option<i64>,
    pub responsible_expert_id: Option<i64>,
    pub responsible_partner_id: Option<i64>,
    pub responsible_user_id: Option<i64>,
    /// `(true, day)`: open recommendations whose due date is before `day`; `(false, day)`: all
    /// others.
    pub overdue: Option<(bool, NaiveDate)>,
    /// Only recommendations of cases whose diagnosis team includes one of these experts (an
    /// assessor's own).
    pub team_of: Option<Vec<i64>>,
    /// Only recommendations on diagnoses dated in this year (as the indicators count them).
    pub year: Option<i32>,
}

pub fn insert(
    conn: &mut AnyConnection,
    case_id: i64,
    diagnosis_id: i64,
    fields: &RecommendationFields,
) -> Result<RecommendationRow, StoreError> {
    let now = now_utc();
    Ok(diesel::insert_into(recommendations::table)
        .values((
            fields,
            recommendations::case_id.eq(case_id),
            recommendations::diagnosis_id.eq(diagnosis_id),
            recommendations::status.eq("proposed"),
            recommendations::version.eq(1),
            recommendations::created_at.eq(now),
            recommendations::updated_at.eq(now),
        ))
        .returning(recommendations::all_columns)
        .get_result(conn)?)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<RecommendationRow, StoreError> {
    Ok(recommendations::table
        .filter(recommendations::id.eq(id))
        .select(RecommendationRow::as_select())
        .first(conn)?)
}

type Backend = <AnyConnection as diesel::Connection>::Backend;

fn filtered(filter: &RecommendationFilter) -> recommendations::BoxedQuery<'static, Backend> {
    use recommendations as r;
    let mut query = r::table.into_boxed();
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
    if let Some(kind) = &filter.kind {
        query = query.filter(r::kind.eq(kind.clone()));
    }
    if let Some(status) = &filter.status {
        query = query.filter(r::status.eq(status.clone()));
    }
    if let Some(scheme) = &filter.financing_scheme {
        query = query.filter(r::financing_scheme.eq(scheme.clone()));
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
    let open = ["proposed", "agreed", "in_progress"];
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
            .filter(case_members::duty.eq("team"))
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

/// Writes the team's fields if the recommendation is still at `expected_version`.
pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: i64,
    fields: &RecommendationFields,
) -> Result<(), StoreError> {
    let updated = diesel::update(
        recommendations::table
            .filter(recommendations::id.eq(id))
            .filter(recommendations::version.eq(expected_version)),
    )
    .set((
        fields,
        recommendations::version.eq(expected_version + 1),
        recommendations::updated_at.eq(now_utc()),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Sets the status if the recommendation is still at `expected_version`.
pub fn set_status(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: i64,
    status: &str,
) -> Result<(), StoreError> {
    let updated = diesel::update(
        recommendations::table
            .filter(recommendations::id.eq(id))
            .filter(recommendations::version.eq(expected_version)),
    )
    .set((
        recommendations::status.eq(status),
        recommendations::version.eq(expected_version + 1),
        recommendations::updated_at.eq(now_utc()),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// `(recommendation_id, finding_id)` of the given recommendations.
pub fn findings_of(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<(i64, i64)>, StoreError> {
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
    recommendation_id: i64,
    finding_ids: &[i64],
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
    new: &NewRecommendationTransition,
) -> Result<(), StoreError> {
    diesel::insert_into(recommendation_transitions::table)
        .values((new, recommendation_transitions::created_at.eq(now_utc())))
        .execute(conn)?;
    Ok(())
}

pub fn transitions_of(
    conn: &mut AnyConnection,
    id: i64,
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
    case_id: i64,
) -> Result<(usize, usize), StoreError> {
    let statuses: Vec<String> = recommendations::table
        .filter(recommendations::case_id.eq(case_id))
        .select(recommendations::status)
        .load(conn)?;
    let agreed = statuses
        .iter()
        .filter(|s| matches!(s.as_str(), "agreed" | "in_progress" | "done" | "not_done"))
        .count();
    Ok((agreed, statuses.len()))
}
