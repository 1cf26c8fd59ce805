//! Evaluations of a case and the outcome its closing computed.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::{case_outcomes, evaluations};
use crate::{AnyConnection, StoreError, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = evaluations)]
pub struct EvaluationRow {
    pub id: i64,
    pub case_id: i64,
    pub evaluated_on: NaiveDate,
    /// JSON: the indicators as the team saw them.
    pub indicators: String,
    pub conclusion: String,
    pub next_step: String,
    pub notes: Option<String>,
    pub recorded_by: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = evaluations, treat_none_as_null = true)]
pub struct NewEvaluation {
    pub case_id: i64,
    pub evaluated_on: NaiveDate,
    pub indicators: String,
    pub conclusion: String,
    pub next_step: String,
    pub notes: Option<String>,
    pub recorded_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_outcomes, treat_none_as_null = true)]
pub struct OutcomeRow {
    pub case_id: i64,
    pub outcome: String,
    pub computed_outcome: String,
    pub rule_name: String,
    pub rule_version: i32,
    /// JSON: the evidence the rule read.
    pub evidence: String,
    pub evaluation_id: i64,
    pub decided_on: NaiveDate,
    pub override_reason: Option<String>,
    pub overridden_by: Option<String>,
    pub overridden_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut AnyConnection, new: &NewEvaluation) -> Result<EvaluationRow, StoreError> {
    Ok(diesel::insert_into(evaluations::table)
        .values((new, evaluations::created_at.eq(now_utc())))
        .returning(evaluations::all_columns)
        .get_result(conn)?)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<EvaluationRow, StoreError> {
    Ok(evaluations::table
        .filter(evaluations::id.eq(id))
        .select(EvaluationRow::as_select())
        .first(conn)?)
}

/// A case's evaluations, oldest first.
pub fn of_case(conn: &mut AnyConnection, case_id: i64) -> Result<Vec<EvaluationRow>, StoreError> {
    Ok(evaluations::table
        .filter(evaluations::case_id.eq(case_id))
        .order(evaluations::id.asc())
        .select(EvaluationRow::as_select())
        .load(conn)?)
}

/// The latest evaluation of a case.
pub fn latest_of_case(
    conn: &mut AnyConnection,
    case_id: i64,
) -> Result<Option<EvaluationRow>, StoreError> {
    Ok(evaluations::table
        .filter(evaluations::case_id.eq(case_id))
        .order(evaluations::id.desc())
        .select(EvaluationRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert_outcome(conn: &mut AnyConnection, row: &OutcomeRow) -> Result<(), StoreError> {
    diesel::insert_into(case_outcomes::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn outcomes_of(
    conn: &mut AnyConnection,
    case_ids: &[i64],
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
    case_id: i64,
    outcome: &str,
    reason: &str,
    by: &str,
) -> Result<(), StoreError> {
    let updated = diesel::update(case_outcomes::table.filter(case_outcomes::case_id.eq(case_id)))
        .set((
            case_outcomes::outcome.eq(outcome),
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
