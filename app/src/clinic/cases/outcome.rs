//! An admin's override of a closed case's computed outcome: the computed outcome, its rule and
//! evidence stay beside it; the reason, who and when are recorded and audited.

use klinik_domain::clinic::outcome::Outcome;
use klinik_domain::text::multi_line;
use klinik_persistence::clinic::cases as store;
use klinik_persistence::clinic::evaluations;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::load;
use super::model::Case;

use crate::prelude::*;

pub const REASON_MAX_CHARS: usize = 2000;

/// The outcome an admin sets, and why.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "membaik", "reason": "Laporan RAT 2017 ternyata belum disahkan."}))]
pub struct OutcomeOverride {
    pub outcome: Outcome,
    /// Required; kept with the outcome and in the audit trail.
    #[schema(
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub reason: String,
}

/// Overrides a closed case's outcome; only a closed case has one (409 otherwise).
pub async fn set(
    ctx: &Ctx,
    id: CaseId,
    if_match: IfMatch,
    input: OutcomeOverride,
) -> Result<Case, Error> {
    multi_line("reason", &input.reason, REASON_MAX_CHARS)?;
    ctx.write(move |conn, ctx| {
        let case = store::find(conn, id).map_err(Error::missing(Record::Case))?;
        if_match.check(case.version)?;
        let before = evaluations::outcomes_of(conn, &[id])?
            .pop()
            .ok_or_else(|| {
                Error::conflict(
                    "status",
                    "case_not_closed",
                    msg!(
                        "The case is %{status}; only a closed case has an outcome.",
                        status = case.status
                    ),
                )
            })?;
        let by = ctx.audit.actor_name.clone().unwrap_or_default();
        evaluations::override_outcome(conn, id, input.outcome, &input.reason, &by)?;
        // The case's version moves so that its ETag changes with its outcome.
        store::set_status(conn, id, case.version, case.status)?;
        versioned::committed(
            conn,
            ctx,
            "override_outcome",
            "case",
            &id.to_string(),
            Some(
                json!({"outcome": {"before": before.outcome, "after": input.outcome},
                "computed_outcome": before.computed_outcome, "reason": input.reason}),
            ),
        )?;
        let row = store::find(conn, id)?;
        load(conn, &ctx.app.regions, row)
    })
    .await
}
