//! Evaluations of a case and the outcome its closing computed.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use klinik_domain::clinic::case::EvaluationNextStep;
use klinik_domain::clinic::outcome::{Conclusion, Outcome};

use crate::ids::{CaseId, EvaluationId};
use crate::schema::{case_outcomes, evaluations};
use crate::{AnyConnection, EnumText, Parsed, StoreError, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = evaluations)]
pub struct EvaluationRow {
    pub id: EvaluationId,
    pub case_id: CaseId,
    pub evaluated_on: NaiveDate,
    /// JSON: the indicators as the team saw them.
    pub indicators: String,
    #[diesel(deserialize_as = Parsed<Conclusion>)]
    pub conclusion: Conclusion,
    #[diesel(deserialize_as = Parsed<EvaluationNextStep>)]
    pub next_step: EvaluationNextStep,
    pub notes: Option<String>,
    pub recorded_by: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = evaluations, treat_none_as_null = true)]
pub struct NewEvaluation {
    pub case_id: CaseId,
    pub evaluated_on: NaiveDate,
    pub indicators: String,
    #[diesel(serialize_as = EnumText)]
    pub conclusion: Conclusion,
    #[diesel(serialize_as = EnumText)]
    pub next_step: EvaluationNextStep,
    pub notes: Option<String>,
    pub recorded_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_outcomes, treat_none_as_null = true)]
pub struct OutcomeRow {
    pub case_id: CaseId,
    #[diesel(deserialize_as = Parsed<Outcome>, serialize_as = EnumText)]
    pub outcome: Outcome,
    #[diesel(deserialize_as = Parsed<Outcome>, serialize_as = EnumText)]
    pub computed_outcome: Outcome,
    pub rule_name: String,
    pub rule_version: i32,
    /// JSON: the evidence the rule read.
    pub evidence: String,
    pub evaluation_id: EvaluationId,
    pub decided_on: NaiveDate,
    pub override_reason: Option<String>,
    pub overridden_by: Option<String>,
    pub overridden_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut AnyConnection, new: NewEvaluation) -> Result<EvaluationRow, StoreError> {
    Ok(diesel::insert_into(evaluations::table)
        .values((new, evaluations::created_at.eq(now_utc())))
        .returning(evaluations::all_columns)
        .get_result(conn)?)
}

pub fn find(conn: &mut AnyConnection, id: EvaluationId) -> Result<EvaluationRow, StoreError> {
    Ok(evaluations::table
        .filter(evaluations::id.eq(id))
        .select(EvaluationRow::as_select())
        .first(conn)?)
}

/// A case's evaluations, oldest first.
pub fn of_case(
    conn: &mut AnyConnection,
    case_id: CaseId,
) -> Result<Vec<EvaluationRow>, StoreError> {
    Ok(evaluations::table
        .filter(evaluations::case_id.eq(case_id))
        .order(evaluations::id.asc())
        .select(EvaluationRow::as_select())
        .load(conn)?)
}

/// The latest evaluation of a case.
pub fn latest_of_case(
    conn: &mut AnyConnection,
    case_id: CaseId,
) -> Result<Option<EvaluationRow>, StoreError> {
    Ok(evaluations::table
        .filter(evaluations::case_id.eq(case_id))
        .order(evaluations::id.desc())
        .select(EvaluationRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert_outcome(conn: &mut AnyConnection, row: OutcomeRow) -> Result<(), StoreError> {
    diesel::insert_into(case_outcomes::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn outcomes_of(
    conn: &mut AnyConnection,
    case_ids: &[CaseId],
) -> Result<Vec<OutcomeRow>, StoreError> {
    if case_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(case_outcomes::table
        .filter(case_outcomes::case_id.eq_any(case_ids))
        .select(OutcomeRow::as_select())
        .load(conn)?)
}

/// An admin's override of a computed outcome, with the reason.
pub fn override_outcome(
    conn: &mut AnyConnection,
    case_id: CaseId,
    outcome: Outcome,
    reason: &str,
    by: &str,
) -> Result<(), StoreError> {
    let updated = diesel::update(case_outcomes::table.filter(case_outcomes::case_id.eq(case_id)))
        .set((
            case_outcomes::outcome.eq(outcome.as_str()),
            case_outcomes::override_reason.eq(Some(reason)),
            case_outcomes::overridden_by.eq(Some(by)),
            case_outcomes::overridden_at.eq(Some(now_utc())),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
