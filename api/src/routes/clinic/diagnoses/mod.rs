//! Diagnoses of a case: `/api/v1/cases/{id}/diagnoses` and `/api/v1/diagnoses/{id}`.

pub mod dto;
mod handlers;

use klinik_domain::clinic::SubjectKind;
use klinik_domain::{Violation, Violations};
use klinik_persistence::clinic::diagnoses::{self as store, DiagnosisRow};
use klinik_persistence::clinic::instruments;
use klinik_persistence::{AnyConnection, StoreError};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::problem::ApiError;
use crate::routes::clinic::instruments::{ComponentScoreInput, Instrument, component_inputs};
use dto::{Diagnosis, StoredInput};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(handlers::create_diagnosis)
        .service(handlers::list_case_diagnoses)
        .service(handlers::get_diagnosis)
        .service(handlers::update_diagnosis)
        .service(handlers::put_member_score)
        .service(handlers::finalize_diagnosis);
}

/// A diagnosis with its findings, member scores, agreements and the one amending it.
pub fn load_rows(
    conn: &mut AnyConnection,
    rows: Vec<DiagnosisRow>,
) -> Result<Vec<Diagnosis>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
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
                    .map(|(_, new)| *new),
            )
        })
        .collect()
}

pub fn load(conn: &mut AnyConnection, id: i64) -> Result<Diagnosis, ApiError> {
    let row = store::find(conn, id).map_err(ApiError::missing("Diagnosis"))?;
    load_rows(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::not_found("Diagnosis"))
}

/// An assessment scored and ready to store.
pub struct Assessed {
    pub instrument_id: i64,
    pub inputs: String,
    pub result: String,
    pub total: String,
    pub predicate: String,
}

/// Scores `scores` with instrument `instrument_id` for a subject of `kind`; problems are named
/// under `field` (e.g. `health_assessment`).
pub fn assess(
    conn: &mut AnyConnection,
    kind: SubjectKind,
    instrument_id: i64,
    scores: &[ComponentScoreInput],
    field: &str,
) -> Result<Assessed, ApiError> {
    let row = instruments::find(conn, instrument_id).map_err(|e| match e {
        StoreError::NotFound => ApiError::validation(
            &format!("{field}.instrument_id"),
            "unknown_instrument",
            "is not an instrument version",
        ),
        other => other.into(),
    })?;
    let instrument = Instrument::from_row(row)?;
    if instrument.subject_kind != kind {
        return Err(ApiError::validation(
            &format!("{field}.instrument_id"),
            "instrument_subject_mismatch",
            &format!(
                "this instrument assesses a {}, not a {kind}",
                instrument.subject_kind
            ),
        ));
    }
    if scores.len() > 200 {
        return Err(ApiError::validation(
            &format!("{field}.scores"),
            "too_many",
            "at most 200 inputs",
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
            ApiError::from(Violations(prefixed))
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
        predicate: scored.predicate.as_str().into(),
    })
}

/// JSON text of a value the server built; a failure is the server's fault.
fn json<T: serde::Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|e| ApiError::internal(&e))
}
