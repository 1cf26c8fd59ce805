//! How a diagnosis is decided: each team member's score of the subject's health, and the
//! finalizing that fixes the draft, records who agreed and makes it the case's diagnosis.

use klinik_persistence::clinic::diagnoses::{self as store, MemberScoreRow};
use klinik_persistence::now_utc;

use super::model::{Diagnosis, FinalizeRequest, MemberScoreInput};
use super::*;
use crate::prelude::*;

/// Records (or replaces) one team member's own scores on a draft; an assessor only their own.
pub async fn put_member_score(
    ctx: &Ctx,
    (id, expert_id): (DiagnosisId, ExpertId),
    input: MemberScoreInput,
) -> Result<Diagnosis, Error> {
    ctx.write(move |conn, ctx| {
        let (row, case, scope) = in_scope(conn, &ctx.caller, id)?;
        if !ctx.caller.is_staff() && scope.expert() != Some(expert_id) {
            return Err(Error::forbidden(msg!(
                "An assessor records only their own scores."
            )));
        }
        require_draft(&row)?;
        if !team(conn, case.id)?.iter().any(|(e, _)| *e == expert_id) {
            return Err(Error::validation(
                "expert_id",
                "not_on_team",
                msg!("is not on the case's diagnosis team"),
            ));
        }
        let assessed = assess(
            conn,
            case.subject_kind,
            input.instrument_id,
            &input.scores,
            "member_score",
        )?;
        store::put_member_score(
            conn,
            &MemberScoreRow {
                diagnosis_id: id,
                expert_id,
                instrument_id: assessed.instrument_id,
                inputs: assessed.inputs,
                result: assessed.result,
                total: assessed.total,
                predicate: assessed.predicate,
                recorded_at: now_utc(),
            },
        )?;
        versioned::committed(
            conn,
            ctx,
            "score",
            "diagnosis",
            &id.to_string(),
            Some(serde_json::json!({"expert_id": expert_id})),
        )?;
        load(conn, id)
    })
    .await
}

/// Makes a draft final, by the team's lead or office staff, with who agreed; it needs at least
/// one finding and a case in `diagnosing`.
pub async fn finalize(
    ctx: &Ctx,
    id: DiagnosisId,
    if_match: IfMatch,
    request: FinalizeRequest,
) -> Result<Diagnosis, Error> {
    ctx.write(move |conn, ctx| {
        let (row, case, scope) = in_scope(conn, &ctx.caller, id)?;
        let members = team(conn, case.id)?;
        let lead = members.iter().find(|(_, lead)| *lead).map(|(e, _)| *e);
        if !ctx.caller.is_staff() && (lead.is_none() || scope.expert() != lead) {
            return Err(Error::forbidden(msg!(
                "Only the team's lead (or office staff) finalizes a diagnosis."
            )));
        }
        require_draft(&row)?;
        require_diagnosing(&case)?;
        if_match.check(row.version)?;
        if let Some(i) = request
            .agreed_expert_ids
            .iter()
            .position(|e| !members.iter().any(|(m, _)| m.get() == *e))
        {
            return Err(Error::validation(
                &format!("agreed_expert_ids[{i}]"),
                "not_on_team",
                msg!("is not on the case's diagnosis team"),
            ));
        }
        if store::count_findings(conn, id)? == 0 {
            return Err(Error::validation(
                "findings",
                "finding_required",
                msg!("a diagnosis is finalized with at least one finding"),
            ));
        }
        let mut agreed: Vec<ExpertId> = request
            .agreed_expert_ids
            .iter()
            .copied()
            .map(ExpertId)
            .collect();
        agreed.extend(lead);
        agreed.sort_unstable();
        agreed.dedup();
        let by = match &ctx.caller {
            Caller::User { username, .. } => username.clone(),
            Caller::Client { client_id, .. } => client_id.clone(),
        };
        store::finalize(conn, id, row.version, &by)?;
        store::add_agreements(conn, id, &agreed)?;
        versioned::committed(
            conn,
            ctx,
            "finalize",
            "diagnosis",
            &id.to_string(),
            Some(serde_json::json!({"agreed_expert_ids": agreed})),
        )?;
        load(conn, id)
    })
    .await
}
