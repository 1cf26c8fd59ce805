//! What a case's end writes besides its status: the outcome of a closed case, and the
//! dissolution proposal of a cooperative the clinic cannot cure.

use std::collections::HashSet;

use chrono::NaiveDate;
use klinik_domain::activity_status::ActivityStatus;
use klinik_domain::clinic::outcome::{DEFAULT_RULE, DEFAULT_RULE_VERSION, decide};
use klinik_domain::size_class::Thresholds;
use klinik_domain::{Violation, Violations};
use klinik_persistence::StoreError;
use klinik_persistence::clinic::cases::CaseRow;
use klinik_persistence::clinic::dissolutions::{self, NewProposal};
use klinik_persistence::clinic::evaluations::{self, OutcomeRow};
use klinik_persistence::cooperatives::{self, ComputedStatus};

use super::model::DissolutionRequest;
use crate::clinic::evaluations::subject;
use crate::prelude::*;

/// Computes and stores the outcome of a closing case from its latest evaluation and the
/// registries' evidence, by the default rule for `bagus`.
pub fn record_outcome(
    conn: &mut AnyConnection,
    thresholds: &[Thresholds],
    case: &CaseRow,
    decided_on: NaiveDate,
) -> Result<OutcomeRow, Error> {
    let evaluation = evaluations::latest_of_case(conn, case.id)?
        .ok_or_else(|| Error::internal(&"closing without an evaluation"))?;
    let evidence = subject::evidence(conn, thresholds, case, decided_on)?;
    let outcome = decide(&evidence, evaluation.conclusion);
    let row = OutcomeRow {
        case_id: case.id,
        outcome,
        computed_outcome: outcome,
        rule_name: DEFAULT_RULE.into(),
        rule_version: DEFAULT_RULE_VERSION,
        evidence: serde_json::to_string(&evidence).map_err(|e| Error::internal(&e))?,
        evaluation_id: evaluation.id,
        decided_on,
        override_reason: None,
        overridden_by: None,
        overridden_at: None,
    };
    evaluations::insert_outcome(conn, row.clone())?;
    Ok(row)
}

/// Checks the dissolution part of a transition request: only with `propose_dissolution`, and
/// each reason at most once.
pub fn check_request(
    dissolution: Option<&DissolutionRequest>,
    proposing: bool,
) -> Result<(), Error> {
    let mut v = Violations::default();
    match dissolution {
        Some(_) if !proposing => v.push(Violation::new(
            "dissolution",
            "dissolution_not_allowed",
            msg!("only propose_dissolution carries a dissolution proposal"),
        )),
        Some(request) => {
            let mut seen = HashSet::new();
            if request.reasons.iter().any(|r| !seen.insert(*r)) {
                v.push(Violation::new(
                    "dissolution.reasons",
                    "duplicate_item",
                    msg!("each reason at most once"),
                ));
            }
        }
        None => {}
    }
    Ok(v.into_result()?)
}

/// Sets a cooperative's status override (or clears it with `None`), keeping the computed status
/// underneath.
pub fn set_override(
    conn: &mut AnyConnection,
    cooperative_id: CooperativeId,
    status_override: Option<(ActivityStatus, &str)>,
) -> Result<(), Error> {
    let current = cooperatives::find(conn, cooperative_id, true)?;
    let effective = status_override.map_or(current.computed_status, |(status, _)| status);
    let computed = ComputedStatus {
        status: current.computed_status,
        rule: current.status_rule,
    };
    cooperatives::set_status(conn, cooperative_id, &computed, status_override, effective)?;
    // Audited as part of the case's or the proposal's transition; the feed shows it as the
    // cooperative's own change.
    klinik_persistence::changes::record(conn, "cooperative", "status", &[cooperative_id.get()])?;
    Ok(())
}

/// Creates the proposal and marks the cooperative `diusulkan_bubar`; its override before is kept
/// so that a rejection or withdrawal restores it. One open proposal per cooperative (409).
pub fn propose_dissolution(
    conn: &mut AnyConnection,
    case: &CaseRow,
    request: &DissolutionRequest,
    note: Option<String>,
) -> Result<DissolutionProposalId, Error> {
    let cooperative_id = case
        .cooperative_id
        .ok_or_else(|| Error::internal(&"dissolution of a UKM"))?;
    let current = cooperatives::find(conn, cooperative_id, true)?;
    let proposal = dissolutions::insert(
        conn,
        NewProposal {
            case_id: case.id,
            cooperative_id,
            note,
            previous_override: current.status_override,
            previous_override_reason: current.status_override_reason.clone(),
        },
        &request.reasons,
    )
    .map_err(|e| match e {
        StoreError::Duplicate { .. } => Error::conflict(
            "dissolution",
            "proposal_open",
            msg!("The cooperative already has an open dissolution proposal."),
        ),
        other => other.into(),
    })?;
    let reason = format!(
        "Usul pembubaran no. {} (kasus klinik {})",
        proposal.id, case.id
    );
    klinik_persistence::changes::record(
        conn,
        "dissolution_proposal",
        "create",
        &[proposal.id.get()],
    )?;
    set_override(
        conn,
        cooperative_id,
        Some((ActivityStatus::DiusulkanBubar, &reason)),
    )?;
    Ok(proposal.id)
}
