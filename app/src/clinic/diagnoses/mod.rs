//! Diagnoses of a case: drafts the team edits (findings, a health assessment, each member's own
//! scores), finalized by the lead with who agreed. A final diagnosis never changes; an amendment
//! supersedes it, and a case's first final assessment is its baseline.

mod decision;
pub mod model;
pub use decision::{finalize, put_member_score};

use chrono::{NaiveDate, Utc};
use klinik_domain::clinic::case::CaseStatus;
use klinik_domain::clinic::health::Predicate;
use klinik_domain::clinic::{DiagnosisStatus, MemberDuty, SubjectKind};
use klinik_domain::{Violation, Violations};
use klinik_persistence::StoreError;
use klinik_persistence::clinic::cases::{self as cases_store, CaseRow};
use klinik_persistence::clinic::diagnoses::{self as store, DiagnosisRow, DraftFields};
use klinik_persistence::clinic::instruments;

use crate::clinic::cases::access::{CaseScope, visible_case};
use crate::clinic::instruments::{ComponentScoreInput, Instrument, component_inputs};
use crate::prelude::*;
use model::{
    CreateDiagnosis, Diagnosis, PatchDiagnosis, StoredInput, check_findings, check_summary,
};

/// A diagnosis with its findings, member scores, agreements and the one amending it.
pub fn load_rows(
    conn: &mut AnyConnection,
    rows: Vec<DiagnosisRow>,
) -> Result<Vec<Diagnosis>, Error> {
    let ids: Vec<DiagnosisId> = rows.iter().map(|r| r.id).collect();
    let findings = store::findings_of(conn, &ids)?;
    let scores = store::member_scores_of(conn, &ids)?;
    let agreements = store::agreements_of(conn, &ids)?;
    let superseding = store::superseding(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let id = row.id;
            Diagnosis::from_rows(
                row,
                findings
                    .iter()
                    .filter(|f| f.diagnosis_id == id)
                    .cloned()
                    .collect(),
                scores
                    .iter()
                    .filter(|s| s.diagnosis_id == id)
                    .cloned()
                    .collect(),
                agreements
                    .iter()
                    .filter(|(d, _)| *d == id)
                    .map(|(_, e)| *e)
                    .collect(),
                superseding
                    .iter()
                    .find(|(old, _)| *old == id)
                    .map(|(_, new)| new.get()),
            )
        })
        .collect()
}

pub fn load(conn: &mut AnyConnection, id: DiagnosisId) -> Result<Diagnosis, Error> {
    let row = store::find(conn, id).map_err(Error::missing(Record::Diagnosis))?;
    load_rows(conn, vec![row])?
        .pop()
        .ok_or_else(|| Error::not_found(Record::Diagnosis))
}

/// An assessment scored and ready to store.
pub struct Assessed {
    pub instrument_id: InstrumentId,
    pub inputs: String,
    pub result: String,
    pub total: String,
    pub predicate: Predicate,
}

/// Scores `scores` with instrument `instrument_id` for a subject of `kind`; problems are named
/// under `field` (e.g. `health_assessment`).
pub fn assess(
    conn: &mut AnyConnection,
    kind: SubjectKind,
    instrument_id: i64,
    scores: &[ComponentScoreInput],
    field: &str,
) -> Result<Assessed, Error> {
    let instrument_id = InstrumentId(instrument_id);
    let row = instruments::find(conn, instrument_id).map_err(|e| match e {
        StoreError::NotFound => Error::validation(
            &format!("{field}.instrument_id"),
            "unknown_instrument",
            msg!("is not an instrument version"),
        ),
        other => other.into(),
    })?;
    let instrument = Instrument::from_row(row)?;
    if instrument.subject_kind != kind {
        return Err(Error::validation(
            &format!("{field}.instrument_id"),
            "instrument_subject_mismatch",
            msg!(
                "this instrument assesses a %{subject_kind}, not a %{kind}",
                subject_kind = instrument.subject_kind,
                kind = kind
            ),
        ));
    }
    if scores.len() > 200 {
        return Err(Error::validation(
            &format!("{field}.scores"),
            "too_many",
            msg!("at most 200 inputs"),
        ));
    }
    let scored = instrument
        .definition
        .score(&component_inputs(scores))
        .map_err(|broken| {
            let prefixed: Vec<Violation> = broken
                .0
                .into_iter()
                .map(|v| Violation::new(format!("{field}.{}", v.field), v.code, v.message))
                .collect();
            Error::from(Violations(prefixed))
        })?;
    let inputs: Vec<StoredInput> = scores
        .iter()
        .map(|s| StoredInput {
            component: s.component.clone(),
            score: s.score,
            ratio: s.ratio,
        })
        .collect();
    Ok(Assessed {
        instrument_id,
        inputs: json(&inputs)?,
        result: json(&scored)?,
        total: klinik_domain::clinic::decimal::format(&scored.total),
        predicate: scored.predicate,
    })
}

/// JSON text of a value the server built; a failure is the server's fault.
fn json<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|e| Error::internal(&e))
}

fn require_diagnosing(case: &CaseRow) -> Result<(), Error> {
    if case.status != CaseStatus::Diagnosing {
        return Err(Error::conflict(
            "case_id",
            "case_not_diagnosing",
            msg!(
                "The case is %{status}; diagnoses are written while it is diagnosing.",
                status = case.status
            ),
        ));
    }
    Ok(())
}

fn require_draft(row: &DiagnosisRow) -> Result<(), Error> {
    if row.status != DiagnosisStatus::Draft {
        return Err(Error::conflict(
            "status",
            "diagnosis_final",
            msg!("A final diagnosis never changes; start an amendment (a new diagnosis) instead."),
        ));
    }
    Ok(())
}

fn check_date(field: &str, date: NaiveDate) -> Result<(), Error> {
    if date > Utc::now().date_naive() {
        return Err(Error::validation(
            field,
            "date_in_future",
            msg!("must not be after today"),
        ));
    }
    Ok(())
}

/// The diagnosis and its case, if the caller may see them (404 otherwise).
fn in_scope(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: DiagnosisId,
) -> Result<(DiagnosisRow, CaseRow, CaseScope), Error> {
    let row = store::find(conn, id).map_err(Error::missing(Record::Diagnosis))?;
    let scope = CaseScope::of(conn, caller)?;
    let case = visible_case(conn, &scope, row.case_id).map_err(|e| match e {
        // Another team's case: its diagnoses do not exist for this caller either.
        Error::NotFound { .. } => Error::not_found(Record::Diagnosis),
        other => other,
    })?;
    Ok((row, case, scope))
}

fn team(conn: &mut AnyConnection, case_id: CaseId) -> Result<Vec<(ExpertId, bool)>, Error> {
    Ok(cases_store::members_of(conn, &[case_id])?
        .into_iter()
        .filter(|m| m.duty == MemberDuty::Team)
        .map(|m| (m.expert_id, m.is_lead))
        .collect())
}

fn draft_fields(
    diagnosed_on: NaiveDate,
    summary: Option<String>,
    assessed: Option<Assessed>,
) -> DraftFields {
    DraftFields {
        diagnosed_on,
        summary,
        instrument_id: assessed.as_ref().map(|a| a.instrument_id),
        assessment_inputs: assessed.as_ref().map(|a| a.inputs.clone()),
        assessment_result: assessed.as_ref().map(|a| a.result.clone()),
        assessment_total: assessed.as_ref().map(|a| a.total.clone()),
        assessment_predicate: assessed.map(|a| a.predicate),
    }
}

/// List a case's diagnoses, first to last (drafts, finals and the ones amended).
/// A draft diagnosis: found by id; a change is its fields and, when the request names them, its
/// findings. Final diagnoses refuse changes before the write path is reached.
pub struct DiagnosisEntity;

impl Entity for DiagnosisEntity {
    type Id = DiagnosisId;
    type Row = DiagnosisRow;
    type View = Diagnosis;
    type Changes = (
        DraftFields,
        Option<Vec<klinik_persistence::clinic::diagnoses::NewFinding>>,
    );
    const KIND: &'static str = "diagnosis";
    const NAME: Record = Record::Diagnosis;

    fn find(conn: &mut AnyConnection, id: DiagnosisId) -> Result<DiagnosisRow, Error> {
        store::find(conn, id).map_err(Error::missing(Self::NAME))
    }

    fn view(conn: &mut AnyConnection, _: &Ctx, row: DiagnosisRow) -> Result<Diagnosis, Error> {
        load(conn, row.id)
    }

    fn store(
        conn: &mut AnyConnection,
        id: DiagnosisId,
        expected_version: i64,
        (fields, findings): Self::Changes,
    ) -> Result<(), Error> {
        store::update_draft(conn, id, expected_version, fields)?;
        if let Some(findings) = &findings {
            store::replace_findings(conn, id, findings)?;
        }
        Ok(())
    }
}

/// Starts a draft for a case in `diagnosing`; at most one draft per case (409). When the case has
/// a final diagnosis, the new one amends it.
pub async fn create(
    ctx: &Ctx,
    case_id: CaseId,
    request: Idempotency,
    value: CreateDiagnosis,
) -> Result<Created, Error> {
    let mut violations = Violations::default();
    let findings = check_findings(
        &mut violations,
        value.findings.as_deref().unwrap_or_default(),
    );
    check_summary(&mut violations, value.summary.as_deref());
    violations.into_result()?;
    let diagnosed_on = value
        .diagnosed_on
        .unwrap_or_else(|| Utc::now().date_naive());
    check_date("diagnosed_on", diagnosed_on)?;
    ctx.write(move |conn, ctx| {
        create_once(conn, ctx, &request, |conn| {
            let scope = CaseScope::of(conn, &ctx.caller)?;
            let case = visible_case(conn, &scope, case_id)?;
            require_diagnosing(&case)?;
            let existing = store::of_case(conn, case_id)?;
            if existing.iter().any(|d| d.status == DiagnosisStatus::Draft) {
                return Err(Error::conflict(
                    "case_id",
                    "draft_exists",
                    msg!("The case already has a draft diagnosis; edit or finalize it."),
                ));
            }
            let supersedes = existing
                .iter()
                .rev()
                .find(|d| d.status == DiagnosisStatus::Final)
                .map(|d| d.id);
            let assessed = match &value.health_assessment {
                Some(input) => Some(assess(
                    conn,
                    case.subject_kind,
                    input.instrument_id,
                    &input.scores,
                    "health_assessment",
                )?),
                None => None,
            };
            let fields = draft_fields(diagnosed_on, value.summary.clone(), assessed);
            let row = store::insert_draft(conn, case_id, supersedes, fields)?;
            store::replace_findings(conn, row.id, &findings)?;
            let record = load(conn, row.id)?;
            versioned::committed(
                conn,
                ctx,
                "create",
                "diagnosis",
                &record.id.to_string(),
                None,
            )?;
            Created::new(&record, format!("/api/v1/diagnoses/{}", record.id))
        })
    })
    .await
}

/// A case's diagnoses, in the order they were started.
pub async fn list_of_case(
    ctx: &Ctx,
    case_id: CaseId,
    query: SyncPageQuery,
) -> Result<Page<Diagnosis>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let since = query.since();
    let (items, total) = ctx
        .read(move |conn, ctx| {
            let scope = CaseScope::of(conn, &ctx.caller)?;
            visible_case(conn, &scope, case_id)?;
            let mut rows = store::of_case(conn, case_id)?;
            rows.retain(|r| since.is_none_or(|t| r.updated_at >= t));
            let (rows, total) = page.slice(rows);
            Ok::<_, Error>((load_rows(conn, rows)?, total))
        })
        .await?;
    Ok(page.wrap_capped(items, total))
}

pub async fn get(ctx: &Ctx, id: DiagnosisId) -> Result<Diagnosis, Error> {
    ctx.read(move |conn, ctx| {
        in_scope(conn, &ctx.caller, id)?;
        load(conn, id)
    })
    .await
}

/// Edits a draft: its date, summary, findings or health assessment (409 once final).
pub async fn update(
    ctx: &Ctx,
    id: DiagnosisId,
    if_match: IfMatch,
    patch: PatchDiagnosis,
) -> Result<Diagnosis, Error> {
    let mut violations = Violations::default();
    let findings = patch
        .findings
        .as_deref()
        .map(|f| check_findings(&mut violations, f));
    check_summary(
        &mut violations,
        patch.summary.as_ref().and_then(|s| s.as_deref()),
    );
    violations.into_result()?;
    if let Some(date) = patch.diagnosed_on {
        check_date("diagnosed_on", date)?;
    }
    ctx.write(move |conn, ctx| {
        let (_, case, _) = in_scope(conn, &ctx.caller, id)?;
        versioned::update::<DiagnosisEntity>(conn, ctx, id, &if_match, |conn, row| {
            require_draft(row)?;
            let mut fields = DraftFields {
                diagnosed_on: patch.diagnosed_on.unwrap_or(row.diagnosed_on),
                summary: patch.summary.clone().unwrap_or(row.summary.clone()),
                instrument_id: row.instrument_id,
                assessment_inputs: row.assessment_inputs.clone(),
                assessment_result: row.assessment_result.clone(),
                assessment_total: row.assessment_total.clone(),
                assessment_predicate: row.assessment_predicate,
            };
            match &patch.health_assessment {
                None => {}
                Some(None) => fields = draft_fields(fields.diagnosed_on, fields.summary, None),
                Some(Some(input)) => {
                    let assessed = assess(
                        conn,
                        case.subject_kind,
                        input.instrument_id,
                        &input.scores,
                        "health_assessment",
                    )?;
                    fields = draft_fields(fields.diagnosed_on, fields.summary, Some(assessed));
                }
            }
            Ok((fields, findings))
        })
    })
    .await
}
