//! `POST /api/v1/cases/{id}/transitions`: the one way a case changes status.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use klinik_domain::accounts::Role;
use klinik_domain::clinic::SubjectKind;
use klinik_domain::clinic::case::{
    CaseAction, CaseFacts, CaseStatus, EvaluationNextStep, TransitionError, transition,
};
use klinik_domain::cooperative::MembershipArea;
use klinik_domain::text::multi_line;
use klinik_persistence::AnyConnection;
use klinik_persistence::clinic::cases::{self as store, CaseRow, NewTransition};
use klinik_persistence::clinic::{activities, diagnoses, evaluations, recommendations};
use serde_json::json;

use super::access::{CaseScope, forbidden, visible_case};
use super::dto::{Case, TransitionRequest};
use super::{closing, load};
use crate::audit::AuditContext;
use crate::auth::Caller;
use crate::extract::{IfMatch, JsonBody};
use crate::problem::{ApiError, responses};
use crate::routes::with_etag;
use crate::state::AppState;

pub const NOTE_MAX_CHARS: usize = 2000;

/// What the guards need, read from storage (and, for a dissolution, from the request).
fn facts(
    conn: &mut AnyConnection,
    case: &CaseRow,
    request: &TransitionRequest,
) -> Result<CaseFacts, ApiError> {
    let subject_kind: SubjectKind = case
        .subject_kind
        .parse()
        .map_err(|_| ApiError::internal(&"stored subject kind"))?;
    let membership_area = match case.cooperative_id {
        Some(id) => store::cooperative_subjects(conn, &[id])?
            .first()
            .and_then(|s| s.membership_area.as_deref())
            .and_then(|a| a.parse::<MembershipArea>().ok()),
        None => None,
    };
    let team_size = store::members_of(conn, &[case.id])?
        .iter()
        .filter(|m| m.duty == "team")
        .count();
    let final_diagnosis_findings = match diagnoses::finals_of(conn, &[case.id])?.last() {
        Some(latest) => {
            Some(usize::try_from(diagnoses::count_findings(conn, latest.id)?).unwrap_or(0))
        }
        None => None,
    };
    let (agreed_recommendations, recommendations) = recommendations::counts_of_case(conn, case.id)?;
    let activities = usize::try_from(activities::count_of_case(conn, case.id)?).unwrap_or(0);
    let latest_evaluation = match evaluations::latest_of_case(conn, case.id)? {
        Some(evaluation) => Some(
            evaluation
                .next_step
                .parse::<EvaluationNextStep>()
                .map_err(|_| ApiError::internal(&"stored next step"))?,
        ),
        None => None,
    };
    Ok(CaseFacts {
        subject_kind,
        membership_area,
        team_size,
        final_diagnosis_findings,
        recommendations,
        agreed_recommendations,
        activities,
        latest_evaluation,
        dissolution_proposal: request
            .dissolution
            .as_ref()
            .is_some_and(|d| !d.reasons.is_empty()),
        has_note: request.note.is_some(),
    })
}

/// Who may take `action`: office staff for most; the team's lead may also finish the diagnosis;
/// only an admin proposes dissolution.
fn check_actor(
    conn: &mut AnyConnection,
    caller: &Caller,
    scope: &CaseScope,
    case_id: i64,
    action: CaseAction,
) -> Result<(), ApiError> {
    match action {
        CaseAction::ProposeDissolution if caller.role() != Role::Admin => Err(forbidden(
            "Only an admin proposes a cooperative's dissolution.",
        )),
        _ if CaseScope::is_staff(caller) => Ok(()),
        CaseAction::FinishDiagnosis => {
            let lead = store::members_of(conn, &[case_id])?
                .into_iter()
                .find(|m| m.duty == "team" && m.is_lead)
                .map(|m| m.expert_id);
            if lead.is_some() && lead == scope.expert() {
                Ok(())
            } else {
                Err(forbidden(
                    "Only the team's lead or office staff finish a diagnosis.",
                ))
            }
        }
        _ => Err(forbidden(
            "Only office staff (admin, officer) take this action.",
        )),
    }
}

/// Move a case.
///
/// Applies an action of the case machine (registered → screened → diagnosing → recommending →
/// mentoring → evaluating → closed; reject; withdraw; re-diagnose; propose dissolution). An action
/// the current status does not allow is a 409; a guard that does not hold is a 422 whose error
/// code names it: `outside_city_supervision` (a cooperative whose membership area is not `kota`
/// belongs to the province or the ministry), `note_required`, `team_required`,
/// `final_diagnosis_required`, `finding_required`, `agreed_recommendation_required`,
/// `activity_required`, `evaluation_required`, `outcome_required`, `cooperative_only`,
/// `dissolution_proposal_required`, `recommendation_required`. Every transition is kept in the
/// case's history and audited. Office staff take every action but `propose_dissolution` (admin);
/// the team's lead may also `finish_diagnosis`.
///
/// `close` computes the case's outcome (`bagus` when the evidence meets the rule `bagus_default`
/// v1: savings-and-loan cooperatives reach `cukup_sehat` or `sehat` on the latest final
/// assessment; other cooperatives held RAT for the last book year, kept SHU at least at the year
/// before's, and are active; UKM are active and grew their turnover or moved up a size class;
/// otherwise the latest evaluation's conclusion: `membaik`, `tetap`, `memburuk`), stored with
/// the rule and the evidence. `propose_dissolution` carries `dissolution.reasons`, creates the
/// dissolution proposal and sets the cooperative's status to `diusulkan_bubar` (409
/// `proposal_open` when the cooperative already has an open one).
#[utoipa::path(
    operation_id = "create_case_transition",
    tag = "clinic",
    request_body = TransitionRequest,
    params(
        ("id" = i64, Path, description = "The case's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the case has changed since."),
    ),
    responses(
        (status = 200, description = "The case in its new status.", body = Case,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 409, response = responses::Conflict),
        (status = 412, response = responses::PreconditionFailed),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/cases/{id}/transitions")]
pub async fn create_case_transition(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
    body: JsonBody<TransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let request = body.value;
    if let Some(note) = &request.note {
        multi_line("note", note, NOTE_MAX_CHARS).map_err(klinik_domain::Violations::from)?;
    }
    let today = chrono::Utc::now().date_naive();
    if request.effective_on.is_some_and(|day| day > today) {
        return Err(ApiError::validation(
            "effective_on",
            "date_in_future",
            "must not be after today",
        ));
    }
    closing::check_request(
        request.dissolution.as_ref(),
        request.action == CaseAction::ProposeDissolution,
    )?;
    let state2 = state.clone();
    let record = state
        .write(move |conn| {
            let scope = CaseScope::of(conn, &caller)?;
            let case = visible_case(conn, &scope, id)?;
            check_actor(conn, &caller, &scope, id, request.action)?;
            if_match.check(case.version)?;
            let from: CaseStatus = case
                .status
                .parse()
                .map_err(|_| ApiError::internal(&"stored case status"))?;
            let effective_on = request.effective_on.unwrap_or(today);
            if effective_on < case.registered_on {
                return Err(ApiError::validation(
                    "effective_on",
                    "before_registration",
                    "must not be before the case's registration",
                ));
            }
            let facts = facts(conn, &case, &request)?;
            let to = transition(from, request.action, &facts).map_err(|e| match e {
                TransitionError::NotAllowed { from, action } => ApiError::conflict(
                    "action",
                    "transition_not_allowed",
                    &format!("The action {action} is not possible from status {from}."),
                ),
                TransitionError::Guard(guard) => {
                    ApiError::validation("action", guard.code(), &guard.message())
                }
            })?;
            store::set_status(conn, id, case.version, to.as_str())?;
            let mut effects = json!({"action": request.action, "from": from, "to": to});
            match (request.action, &request.dissolution) {
                (CaseAction::Close, _) => {
                    let outcome = closing::record_outcome(
                        conn,
                        &state2.size_thresholds,
                        &case,
                        effective_on,
                    )?;
                    effects["outcome"] = json!(outcome.outcome);
                }
                (CaseAction::ProposeDissolution, Some(dissolution)) => {
                    let proposal = closing::propose_dissolution(
                        conn,
                        &case,
                        dissolution,
                        request.note.clone(),
                    )?;
                    effects["dissolution_proposal_id"] = json!(proposal);
                }
                _ => {}
            }
            store::append_transition(
                conn,
                &NewTransition {
                    case_id: id,
                    action: request.action.as_str().into(),
                    from_status: from.as_str().into(),
                    to_status: to.as_str().into(),
                    note: request.note.clone(),
                    actor_type: audit.actor_type.into(),
                    actor_id: audit.actor_id,
                    actor_name: audit.actor_name.clone(),
                    effective_on,
                },
            )?;
            // The note stays in the case's history only: it may describe people.
            audit.record(
                conn,
                "transition",
                "case",
                Some(id.to_string()),
                Some(effects),
            )?;
            let row = store::find(conn, id)?;
            load(conn, &state2.regions, row)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}
