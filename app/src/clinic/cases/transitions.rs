//! The one way a case changes status: an action of the case machine
//! (`klinik_domain::clinic::case`), its guards read from storage, its effects (a closing's
//! outcome, a dissolution proposal) written in the same transaction, kept in the case's history
//! and audited. Seeding a demo moves its cases through here too.

use chrono::NaiveDate;
use klinik_domain::accounts::Role;
use klinik_domain::clinic::MemberDuty;
use klinik_domain::clinic::case::{CaseAction, CaseFacts, TransitionError, transition};
use klinik_domain::text::multi_line;
use klinik_persistence::clinic::cases::{self as store, CaseRow, NewTransition};
use klinik_persistence::clinic::{activities, diagnoses, evaluations, recommendations};
use serde_json::json;

use super::access::{CaseScope, visible_case};
use super::model::{Case, TransitionRequest};
use super::{closing, load};

use crate::prelude::*;

pub const NOTE_MAX_CHARS: usize = 2000;

/// What the guards need, read from storage (and, for a dissolution, from the request).
fn facts(
    conn: &mut AnyConnection,
    case: &CaseRow,
    request: &TransitionRequest,
) -> Result<CaseFacts, Error> {
    let membership_area = match case.cooperative_id {
        Some(id) => store::cooperative_subjects(conn, &[id])?
            .first()
            .and_then(|s| s.membership_area),
        None => None,
    };
    let team_size = store::members_of(conn, &[case.id])?
        .iter()
        .filter(|m| m.duty == MemberDuty::Team)
        .count();
    let final_diagnosis_findings = match diagnoses::finals_of(conn, &[case.id])?.last() {
        Some(latest) => {
            Some(usize::try_from(diagnoses::count_findings(conn, latest.id)?).unwrap_or(0))
        }
        None => None,
    };
    let (agreed_recommendations, recommendations) = recommendations::counts_of_case(conn, case.id)?;
    let activities = usize::try_from(activities::count_of_case(conn, case.id)?).unwrap_or(0);
    let latest_evaluation = evaluations::latest_of_case(conn, case.id)?.map(|e| e.next_step);
    Ok(CaseFacts {
        subject_kind: case.subject_kind,
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
    case_id: CaseId,
    action: CaseAction,
) -> Result<(), Error> {
    match action {
        CaseAction::ProposeDissolution if caller.role() != Role::Admin => Err(Error::forbidden(
            msg!("Only an admin proposes a cooperative's dissolution."),
        )),
        _ if caller.is_staff() => Ok(()),
        CaseAction::FinishDiagnosis => {
            let lead = store::members_of(conn, &[case_id])?
                .into_iter()
                .find(|m| m.duty == MemberDuty::Team && m.is_lead)
                .map(|m| m.expert_id);
            if lead.is_some() && lead == scope.expert() {
                Ok(())
            } else {
                Err(Error::forbidden(msg!(
                    "Only the team's lead or office staff finish a diagnosis."
                )))
            }
        }
        _ => Err(Error::forbidden(msg!(
            "Only office staff (admin, officer) take this action."
        ))),
    }
}

/// Checks what a transition request says on its own: the note, the day it took effect (not in
/// the future) and the dissolution part.
pub fn check_request(request: &TransitionRequest, today: NaiveDate) -> Result<(), Error> {
    if let Some(note) = &request.note {
        multi_line("note", note, NOTE_MAX_CHARS)?;
    }
    if request.effective_on.is_some_and(|day| day > today) {
        return Err(Error::validation(
            "effective_on",
            "date_in_future",
            msg!("must not be after today"),
        ));
    }
    closing::check_request(
        request.dissolution.as_ref(),
        request.action == CaseAction::ProposeDissolution,
    )
}

/// Applies `request` to the case `id` inside the caller's transaction: scope, who may act, the
/// version, the machine's rule and guards, the effects, the history and the audit event.
pub fn apply(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    id: CaseId,
    if_match: &IfMatch,
    request: &TransitionRequest,
    today: NaiveDate,
) -> Result<CaseRow, Error> {
    let scope = CaseScope::of(conn, &ctx.caller)?;
    let case = visible_case(conn, &scope, id)?;
    check_actor(conn, &ctx.caller, &scope, id, request.action)?;
    if_match.check(case.version)?;
    let from = case.status;
    let effective_on = request.effective_on.unwrap_or(today);
    if effective_on < case.registered_on {
        return Err(Error::validation(
            "effective_on",
            "before_registration",
            msg!("must not be before the case's registration"),
        ));
    }
    let facts = facts(conn, &case, request)?;
    let to = transition(from, request.action, &facts).map_err(|e| match e {
        TransitionError::NotAllowed { from, action } => Error::conflict(
            "action",
            "transition_not_allowed",
            msg!(
                "The action %{action} is not possible from status %{from}.",
                action = action,
                from = from
            ),
        ),
        TransitionError::Guard(guard) => Error::validation("action", guard.code(), guard.message()),
    })?;
    store::set_status(conn, id, case.version, to)?;
    let mut effects = json!({"action": request.action, "from": from, "to": to});
    match (request.action, &request.dissolution) {
        (CaseAction::Close, _) => {
            let outcome =
                closing::record_outcome(conn, &ctx.app.size_thresholds, &case, effective_on)?;
            effects["outcome"] = json!(outcome.outcome);
        }
        (CaseAction::ProposeDissolution, Some(dissolution)) => {
            let proposal =
                closing::propose_dissolution(conn, &case, dissolution, request.note.clone())?;
            effects["dissolution_proposal_id"] = json!(proposal);
        }
        _ => {}
    }
    let audit = &ctx.audit;
    store::append_transition(
        conn,
        NewTransition {
            case_id: id,
            action: request.action,
            from_status: from,
            to_status: to,
            note: request.note.clone(),
            actor_type: audit.actor_type.into(),
            actor_id: audit.actor_id,
            actor_name: audit.actor_name.clone(),
            effective_on,
        },
    )?;
    // The note stays in the case's history only: it may describe people.
    versioned::committed(
        conn,
        ctx,
        "transition",
        "case",
        &id.to_string(),
        Some(effects),
    )?;
    Ok(store::find(conn, id)?)
}

/// Moves a case by one action of the case machine: 409 when its status does not allow it, 422
/// naming the guard that failed.
pub async fn create(
    ctx: &Ctx,
    id: CaseId,
    if_match: IfMatch,
    request: TransitionRequest,
) -> Result<Case, Error> {
    let today = chrono::Utc::now().date_naive();
    check_request(&request, today)?;
    ctx.write(move |conn, ctx| {
        let row = apply(conn, ctx, id, &if_match, &request, today)?;
        load(conn, &ctx.app.regions, row)
    })
    .await
}
