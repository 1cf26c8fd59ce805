//! Diagnoses: drafts the team edits, final versions that never change, their findings, each team
//! member's own scores, and who agreed.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use klinik_domain::clinic::health::Predicate;
use klinik_domain::clinic::{DiagnosisStatus, ProblemCategory, Severity};

use crate::ids::{CaseId, DiagnosisId, ExpertId, FindingId, InstrumentId};
use crate::schema::{diagnoses, diagnosis_agreements, diagnosis_member_scores, findings};
use crate::{AnyConnection, EnumText, NullableEnumText, Parsed, ParsedOpt, StoreError, now_utc};

/// The stored spellings of the two statuses, for filters.
const DRAFT: &str = DiagnosisStatus::Draft.as_str();
const FINAL: &str = DiagnosisStatus::Final.as_str();

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = diagnoses)]
pub struct DiagnosisRow {
    pub id: DiagnosisId,
    pub case_id: CaseId,
    pub sequence: i32,
    pub supersedes_id: Option<DiagnosisId>,
    #[diesel(deserialize_as = Parsed<DiagnosisStatus>)]
    pub status: DiagnosisStatus,
    pub diagnosed_on: NaiveDate,
    pub summary: Option<String>,
    pub instrument_id: Option<InstrumentId>,
    pub assessment_inputs: Option<String>,
    pub assessment_result: Option<String>,
    pub assessment_total: Option<String>,
    #[diesel(deserialize_as = ParsedOpt<Predicate>)]
    pub assessment_predicate: Option<Predicate>,
    pub finalized_at: Option<NaiveDateTime>,
    pub finalized_by: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What a draft holds besides its findings; an update writes all of it.
#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = diagnoses, treat_none_as_null = true)]
pub struct DraftFields {
    pub diagnosed_on: NaiveDate,
    pub summary: Option<String>,
    pub instrument_id: Option<InstrumentId>,
    pub assessment_inputs: Option<String>,
    pub assessment_result: Option<String>,
    pub assessment_total: Option<String>,
    #[diesel(serialize_as = NullableEnumText)]
    pub assessment_predicate: Option<Predicate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = findings)]
pub struct FindingRow {
    pub id: FindingId,
    pub diagnosis_id: DiagnosisId,
    pub position: i32,
    #[diesel(deserialize_as = Parsed<ProblemCategory>)]
    pub category: ProblemCategory,
    #[diesel(deserialize_as = Parsed<Severity>)]
    pub severity: Severity,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFinding {
    pub category: ProblemCategory,
    pub severity: Severity,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = diagnosis_member_scores)]
pub struct MemberScoreRow {
    pub diagnosis_id: DiagnosisId,
    pub expert_id: ExpertId,
    pub instrument_id: InstrumentId,
    pub inputs: String,
    pub result: String,
    pub total: String,
    #[diesel(deserialize_as = Parsed<Predicate>, serialize_as = EnumText)]
    pub predicate: Predicate,
    pub recorded_at: NaiveDateTime,
}

/// Starts a draft as the case's next diagnosis.
pub fn insert_draft(
    conn: &mut AnyConnection,
    case_id: CaseId,
    supersedes_id: Option<DiagnosisId>,
    fields: DraftFields,
) -> Result<DiagnosisRow, StoreError> {
    let last: Option<i32> = diagnoses::table
        .filter(diagnoses::case_id.eq(case_id))
        .select(diesel::dsl::max(diagnoses::sequence))
        .first(conn)?;
    let now = now_utc();
    Ok(diesel::insert_into(diagnoses::table)
        .values((
            fields,
            diagnoses::case_id.eq(case_id),
            diagnoses::sequence.eq(last.unwrap_or(0) + 1),
            diagnoses::supersedes_id.eq(supersedes_id),
            diagnoses::status.eq(DRAFT),
            diagnoses::version.eq(1),
            diagnoses::created_at.eq(now),
            diagnoses::updated_at.eq(now),
        ))
        .returning(diagnoses::all_columns)
        .get_result(conn)?)
}

pub fn find(conn: &mut AnyConnection, id: DiagnosisId) -> Result<DiagnosisRow, StoreError> {
    Ok(diagnoses::table
        .filter(diagnoses::id.eq(id))
        .select(DiagnosisRow::as_select())
        .first(conn)?)
}

/// A case's diagnoses, in the order they were started.
pub fn of_case(conn: &mut AnyConnection, case_id: CaseId) -> Result<Vec<DiagnosisRow>, StoreError> {
    Ok(diagnoses::table
        .filter(diagnoses::case_id.eq(case_id))
        .order(diagnoses::sequence.asc())
        .select(DiagnosisRow::as_select())
        .load(conn)?)
}

/// The final diagnoses of the given cases, oldest first (for baselines and latest assessments).
pub fn finals_of(
    conn: &mut AnyConnection,
    case_ids: &[CaseId],
) -> Result<Vec<DiagnosisRow>, StoreError> {
    if case_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(diagnoses::table
        .filter(diagnoses::case_id.eq_any(case_ids))
        .filter(diagnoses::status.eq(FINAL))
        .order((diagnoses::case_id, diagnoses::sequence.asc()))
        .select(DiagnosisRow::as_select())
        .load(conn)?)
}

/// Writes a draft's fields if it is still a draft at `expected_version`.
pub fn update_draft(
    conn: &mut AnyConnection,
    id: DiagnosisId,
    expected_version: i64,
    fields: DraftFields,
) -> Result<(), StoreError> {
    let updated = diesel::update(
        diagnoses::table
            .filter(diagnoses::id.eq(id))
            .filter(diagnoses::status.eq(DRAFT))
            .filter(diagnoses::version.eq(expected_version)),
    )
    .set((
        fields,
        diagnoses::version.eq(expected_version + 1),
        diagnoses::updated_at.eq(now_utc()),
    ))
    .execute(conn)?;
    crate::versioned::one_row(updated)
}

/// Makes a draft final, if it is still a draft at `expected_version`.
pub fn finalize(
    conn: &mut AnyConnection,
    id: DiagnosisId,
    expected_version: i64,
    finalized_by: &str,
) -> Result<(), StoreError> {
    let now = now_utc();
    let updated = diesel::update(
        diagnoses::table
            .filter(diagnoses::id.eq(id))
            .filter(diagnoses::status.eq(DRAFT))
            .filter(diagnoses::version.eq(expected_version)),
    )
    .set((
        diagnoses::status.eq(FINAL),
        diagnoses::finalized_at.eq(Some(now)),
        diagnoses::finalized_by.eq(Some(finalized_by)),
        diagnoses::version.eq(expected_version + 1),
        diagnoses::updated_at.eq(now),
    ))
    .execute(conn)?;
    crate::versioned::one_row(updated)
}

pub fn findings_of(
    conn: &mut AnyConnection,
    ids: &[DiagnosisId],
) -> Result<Vec<FindingRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(findings::table
        .filter(findings::diagnosis_id.eq_any(ids))
        .order((findings::diagnosis_id, findings::position))
        .select(FindingRow::as_select())
        .load(conn)?)
}

/// Replaces a draft's findings (one insert per row, as `MultiConnection` writes them; a diagnosis
/// has a few dozen at most).
pub fn replace_findings(
    conn: &mut AnyConnection,
    diagnosis_id: DiagnosisId,
    rows: &[NewFinding],
) -> Result<(), StoreError> {
    diesel::delete(findings::table.filter(findings::diagnosis_id.eq(diagnosis_id)))
        .execute(conn)?;
    for (position, finding) in rows.iter().enumerate() {
        diesel::insert_into(findings::table)
            .values((
                findings::diagnosis_id.eq(diagnosis_id),
                findings::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
                findings::category.eq(finding.category.as_str()),
                findings::severity.eq(finding.severity.as_str()),
                findings::description.eq(&finding.description),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Counts the findings of one diagnosis.
pub fn count_findings(
    conn: &mut AnyConnection,
    diagnosis_id: DiagnosisId,
) -> Result<i64, StoreError> {
    Ok(findings::table
        .filter(findings::diagnosis_id.eq(diagnosis_id))
        .count()
        .get_result(conn)?)
}

/// Records (or replaces) one team member's scores on a diagnosis.
pub fn put_member_score(conn: &mut AnyConnection, row: &MemberScoreRow) -> Result<(), StoreError> {
    diesel::delete(
        diagnosis_member_scores::table
            .filter(diagnosis_member_scores::diagnosis_id.eq(row.diagnosis_id))
            .filter(diagnosis_member_scores::expert_id.eq(row.expert_id)),
    )
    .execute(conn)?;
    diesel::insert_into(diagnosis_member_scores::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

pub fn member_scores_of(
    conn: &mut AnyConnection,
    ids: &[DiagnosisId],
) -> Result<Vec<MemberScoreRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(diagnosis_member_scores::table
        .filter(diagnosis_member_scores::diagnosis_id.eq_any(ids))
        .order((
            diagnosis_member_scores::diagnosis_id,
            diagnosis_member_scores::expert_id,
        ))
        .select(MemberScoreRow::as_select())
        .load(conn)?)
}

pub fn add_agreements(
    conn: &mut AnyConnection,
    diagnosis_id: DiagnosisId,
    expert_ids: &[ExpertId],
) -> Result<(), StoreError> {
    for expert_id in expert_ids {
        diesel::insert_into(diagnosis_agreements::table)
            .values((
                diagnosis_agreements::diagnosis_id.eq(diagnosis_id),
                diagnosis_agreements::expert_id.eq(expert_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// `(diagnosis_id, expert_id)` of who agreed with the given diagnoses.
pub fn agreements_of(
    conn: &mut AnyConnection,
    ids: &[DiagnosisId],
) -> Result<Vec<(DiagnosisId, ExpertId)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(diagnosis_agreements::table
        .filter(diagnosis_agreements::diagnosis_id.eq_any(ids))
        .order((
            diagnosis_agreements::diagnosis_id,
            diagnosis_agreements::expert_id,
        ))
        .select((
            diagnosis_agreements::diagnosis_id,
            diagnosis_agreements::expert_id,
        ))
        .load(conn)?)
}

/// `(superseded_id, superseding_id)` for the given diagnoses that another one amends.
pub fn superseding(
    conn: &mut AnyConnection,
    ids: &[DiagnosisId],
) -> Result<Vec<(DiagnosisId, DiagnosisId)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Option<DiagnosisId>, DiagnosisId)> = diagnoses::table
        .filter(diagnoses::supersedes_id.eq_any(ids))
        .select((diagnoses::supersedes_id, diagnoses::id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(old, new)| old.map(|old| (old, new)))
        .collect())
}
