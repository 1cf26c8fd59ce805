//! Recommendations: `/api/v1/diagnoses/{id}/recommendations` and `/api/v1/recommendations`.

pub mod dto;
mod handlers;

use chrono::Utc;
use klinik_domain::clinic::PartnerKind;
use klinik_domain::clinic::case::CaseStatus;
use klinik_persistence::clinic::cases::CaseRow;
use klinik_persistence::clinic::diagnoses;
use klinik_persistence::clinic::recommendations::{self as store, RecommendationRow};
use klinik_persistence::clinic::{experts, partners};
use klinik_persistence::{AnyConnection, StoreError, users};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::problem::ApiError;
use crate::routes::clinic::cases::access::{CaseScope, visible_case};
use dto::{Draft, Recommendation};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(handlers::create_recommendation)
        .service(handlers::list_diagnosis_recommendations)
        .service(handlers::list_recommendations)
        .service(handlers::get_recommendation)
        .service(handlers::update_recommendation)
        .service(handlers::create_recommendation_transition)
        .service(handlers::get_recommendation_history)
        .service(handlers::report_recommendation_capital);
}

pub fn load_rows(
    conn: &mut AnyConnection,
    rows: Vec<RecommendationRow>,
) -> Result<Vec<Recommendation>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let links = store::findings_of(conn, &ids)?;
    let today = Utc::now().date_naive();
    rows.into_iter()
        .map(|row| {
            let findings = links
                .iter()
                .filter(|(r, _)| *r == row.id)
                .map(|(_, f)| *f)
                .collect();
            Recommendation::from_row(row, findings, today)
        })
        .collect()
}

pub fn load(conn: &mut AnyConnection, id: i64) -> Result<Recommendation, ApiError> {
    let row = store::find(conn, id).map_err(ApiError::missing("Recommendation"))?;
    load_rows(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::not_found("Recommendation"))
}

/// The recommendation and its case, if the caller may see them (404 otherwise: an assessor learns
/// nothing of other teams' cases).
pub fn in_scope(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
) -> Result<(RecommendationRow, CaseRow), ApiError> {
    let row = store::find(conn, id).map_err(ApiError::missing("Recommendation"))?;
    let scope = CaseScope::of(conn, caller)?;
    let case = visible_case(conn, &scope, row.case_id).map_err(|e| match e {
        ApiError::NotFound { .. } => ApiError::not_found("Recommendation"),
        other => other,
    })?;
    Ok((row, case))
}

/// Recommendations are made and changed between the final diagnosis and the case's end.
pub fn require_followed_up(case: &CaseRow) -> Result<(), ApiError> {
    let status: CaseStatus = case
        .status
        .parse()
        .map_err(|_| ApiError::internal(&"stored case status"))?;
    match status {
        CaseStatus::Diagnosing
        | CaseStatus::Recommending
        | CaseStatus::Mentoring
        | CaseStatus::Evaluating => Ok(()),
        other => Err(ApiError::conflict(
            "case_id",
            "case_not_followed_up",
            &format!(
                "The case is {other}; recommendations are made and changed from its diagnosis to its end."
            ),
        )),
    }
}

fn unknown(field: &str, code: &'static str, what: &str) -> ApiError {
    ApiError::validation(field, code, &format!("is not {what}"))
}

/// Every id the draft names must exist: the findings in the diagnosis, the responsible expert,
/// partner or user, and a bank or BPR as the capital's partner (422 otherwise).
pub fn check_references(
    conn: &mut AnyConnection,
    diagnosis_id: i64,
    draft: &Draft,
) -> Result<(), ApiError> {
    let own: Vec<i64> = diagnoses::findings_of(conn, &[diagnosis_id])?
        .iter()
        .map(|f| f.id)
        .collect();
    if let Some(i) = draft.finding_ids.iter().position(|id| !own.contains(id)) {
        return Err(unknown(
            &format!("finding_ids[{i}]"),
            "finding_not_in_diagnosis",
            "a finding of this diagnosis",
        ));
    }
    let f = &draft.fields;
    if let Some(id) = f.responsible_expert_id
        && experts::existing_ids(conn, &[id])?.is_empty()
    {
        return Err(unknown(
            "responsible_expert_id",
            "unknown_expert",
            "an expert (or it is archived)",
        ));
    }
    if let Some(id) = f.responsible_partner_id {
        partners::find(conn, id, false).map_err(|e| match e {
            StoreError::NotFound => unknown(
                "responsible_partner_id",
                "unknown_partner",
                "a partner (or it is archived)",
            ),
            other => other.into(),
        })?;
    }
    if let Some(id) = f.responsible_user_id {
        users::find(conn, id).map_err(|e| match e {
            StoreError::NotFound => unknown("responsible_user_id", "unknown_user", "a user"),
            other => other.into(),
        })?;
    }
    if let Some(id) = f.bank_partner_id {
        let bank = partners::find(conn, id, false).map_err(|e| match e {
            StoreError::NotFound => unknown(
                "capital.bank_partner_id",
                "unknown_partner",
                "a partner (or it is archived)",
            ),
            other => other.into(),
        })?;
        let banks = [PartnerKind::Bank.as_str(), PartnerKind::Bpr.as_str()];
        if !banks.contains(&bank.kind.as_str()) {
            return Err(unknown(
                "capital.bank_partner_id",
                "not_a_bank",
                "a partner of kind bank or bpr",
            ));
        }
    }
    Ok(())
}
