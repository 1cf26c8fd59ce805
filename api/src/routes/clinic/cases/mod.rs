//! Clinic cases: `/api/v1/cases`, their team, history and transitions.

pub mod access;
pub mod closing;
pub mod dto;
mod handlers;
mod outcome;
mod transitions;

use std::collections::HashMap;

use klinik_persistence::AnyConnection;
use klinik_persistence::clinic::cases::{self as store, CaseRow, SubjectRow};
use klinik_persistence::clinic::{diagnoses, evaluations, experts};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::problem::ApiError;
use crate::state::RegionIndex;
use dto::{AssessmentSummary, Case, CaseParts};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(handlers::create_case)
        .service(handlers::list_cases)
        .service(handlers::get_case)
        .service(handlers::update_case)
        .service(handlers::get_case_history)
        .service(transitions::create_case_transition)
        .service(outcome::override_case_outcome);
}

/// The case's subject rows, keyed by (kind, id).
fn subjects(
    conn: &mut AnyConnection,
    rows: &[CaseRow],
) -> Result<HashMap<(bool, i64), SubjectRow>, ApiError> {
    let cooperative_ids: Vec<i64> = rows.iter().filter_map(|r| r.cooperative_id).collect();
    let ukm_ids: Vec<i64> = rows.iter().filter_map(|r| r.ukm_id).collect();
    let mut found = HashMap::new();
    for s in store::cooperative_subjects(conn, &cooperative_ids)? {
        found.insert((true, s.id), s);
    }
    for s in store::ukm_subjects(conn, &ukm_ids)? {
        found.insert((false, s.id), s);
    }
    Ok(found)
}

fn summary(row: &diagnoses::DiagnosisRow) -> Option<AssessmentSummary> {
    Some(AssessmentSummary {
        diagnosis_id: row.id,
        instrument_id: row.instrument_id?,
        total: row.assessment_total.clone()?,
        predicate: row.assessment_predicate.as_deref()?.parse().ok()?,
        diagnosed_on: row.diagnosed_on,
    })
}

/// Cases as the API shows them: subject, region, team with names, baseline and latest
/// assessments; a fixed number of queries for any number of cases.
pub fn details(
    conn: &mut AnyConnection,
    regions: &RegionIndex,
    rows: Vec<CaseRow>,
) -> Result<Vec<Case>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut subjects = subjects(conn, &rows)?;
    let members = store::members_of(conn, &ids)?;
    let expert_ids: Vec<i64> = members.iter().map(|m| m.expert_id).collect();
    let names: HashMap<i64, (String, String)> = experts::names(conn, &expert_ids)?
        .into_iter()
        .map(|(id, name, role)| (id, (name, role)))
        .collect();
    let finals = diagnoses::finals_of(conn, &ids)?;
    let mut outcomes: HashMap<i64, _> = evaluations::outcomes_of(conn, &ids)?
        .into_iter()
        .map(|o| (o.case_id, o))
        .collect();
    rows.into_iter()
        .map(|row| {
            let key = match row.cooperative_id {
                Some(id) => (true, id),
                None => (false, row.ukm_id.unwrap_or_default()),
            };
            let subject = subjects.remove(&key);
            let kecamatan_code = subject
                .as_ref()
                .and_then(|s| regions.kelurahan(&s.kelurahan_code))
                .map(|k| k.kecamatan_code.clone())
                .unwrap_or_default();
            let assessed: Vec<AssessmentSummary> = finals
                .iter()
                .filter(|d| d.case_id == row.id)
                .filter_map(summary)
                .collect();
            let case_members = members
                .iter()
                .filter(|m| m.case_id == row.id)
                .map(|m| {
                    let (name, role) = names.get(&m.expert_id).cloned().unwrap_or_default();
                    (m.clone(), name, role)
                })
                .collect();
            Case::from_parts(CaseParts {
                subject,
                kecamatan_code,
                members: case_members,
                baseline: assessed.first().cloned(),
                latest: assessed.last().cloned(),
                outcome: outcomes.remove(&row.id),
                row,
            })
        })
        .collect()
}

/// One case as the API shows it.
pub fn load(
    conn: &mut AnyConnection,
    regions: &RegionIndex,
    row: CaseRow,
) -> Result<Case, ApiError> {
    details(conn, regions, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::not_found("Case"))
}
