//! A cooperative's activity status: computed from its annual reports by the configured rule,
//! recomputed when its reports change and every day (and at start), and overridden by hand with
//! a reason.

use std::collections::HashMap;

use chrono::Datelike;
use klinik_domain::activity_status::{ActivityRule, ActivityStatus, RatEvidence};
use klinik_persistence::cooperatives::{
    self as store, ComputedStatus, CooperativeRow, StatusSnapshot,
};
use klinik_persistence::{StoreError, annual_reports};

use super::{CooperativeEntity, computed_of};

use crate::prelude::*;

pub fn current_year() -> i32 {
    chrono::Utc::now().date_naive().year()
}

/// The status the rule gives a cooperative today, from its annual reports.
pub fn compute(
    conn: &mut AnyConnection,
    rule: ActivityRule,
    cooperative_id: CooperativeId,
    current_year: i32,
) -> Result<ComputedStatus, StoreError> {
    let evidence: Vec<RatEvidence> = annual_reports::rat_evidence(conn, cooperative_id)?
        .into_iter()
        .map(|(book_year, rat_held)| RatEvidence {
            book_year,
            rat_held,
        })
        .collect();
    Ok(ComputedStatus {
        status: rule.evaluate(current_year, &evidence),
        rule: rule.name(),
    })
}

/// The status of a new cooperative: the rule applied to no reports at all.
pub fn initial(rule: ActivityRule) -> ComputedStatus {
    ComputedStatus {
        status: rule.evaluate(current_year(), &[]),
        rule: rule.name(),
    }
}

/// Recomputes a cooperative's status after its reports changed.
pub fn refresh(
    conn: &mut AnyConnection,
    rule: ActivityRule,
    row: &CooperativeRow,
) -> Result<(), StoreError> {
    let computed = compute(conn, rule, row.id, current_year())?;
    let snapshot = StatusSnapshot {
        id: row.id,
        computed_status: row.computed_status,
        status_rule: row.status_rule.clone(),
        status_override: row.status_override,
        status_override_reason: row.status_override_reason.clone(),
    };
    store_if_changed(conn, &snapshot, computed)?;
    Ok(())
}

/// Writes a recomputed status (and so bumps the version) only when it or the rule's name differs
/// from what is stored. Returns whether it wrote.
fn store_if_changed(
    conn: &mut AnyConnection,
    stored: &StatusSnapshot,
    computed: ComputedStatus,
) -> Result<bool, StoreError> {
    if computed.status == stored.computed_status && computed.rule == stored.status_rule {
        return Ok(false);
    }
    let status_override = stored
        .status_override
        .zip(stored.status_override_reason.as_deref());
    let effective = stored.status_override.unwrap_or(computed.status);
    store::set_status(conn, stored.id, &computed, status_override, effective)?;
    // A recomputed status is not audited (no one acted), but other systems follow it.
    klinik_persistence::changes::record(
        conn,
        CooperativeEntity::KIND,
        "status",
        &[stored.id.get()],
    )?;
    Ok(true)
}

/// Recomputes every cooperative's status with `rule` as of today, so that a new year or a changed
/// rule takes effect. Returns how many changed.
pub fn refresh_all(conn: &mut AnyConnection, rule: ActivityRule) -> Result<usize, StoreError> {
    let mut evidence: HashMap<CooperativeId, Vec<RatEvidence>> = HashMap::new();
    for (id, book_year, rat_held) in annual_reports::all_rat_evidence(conn)? {
        evidence.entry(id).or_default().push(RatEvidence {
            book_year,
            rat_held,
        });
    }
    let year = current_year();
    let mut changed = 0;
    for stored in store::status_snapshots(conn)? {
        let reports = evidence
            .get(&stored.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let computed = ComputedStatus {
            status: rule.evaluate(year, reports),
            rule: rule.name(),
        };
        if store_if_changed(conn, &stored, computed)? {
            changed += 1;
        }
    }
    Ok(changed)
}

/// The write path for a manual status: the change is the override to set, or `None` to clear.
pub struct StatusEntity;

impl Entity for StatusEntity {
    type Id = CooperativeId;
    type Row = CooperativeRow;
    type View = super::model::Cooperative;
    type Changes = Option<(ActivityStatus, String)>;
    const KIND: &'static str = CooperativeEntity::KIND;
    const NAME: Record = CooperativeEntity::NAME;
    const PERSONAL: &'static [&'static str] = CooperativeEntity::PERSONAL;

    fn find(conn: &mut AnyConnection, id: CooperativeId) -> Result<CooperativeRow, Error> {
        CooperativeEntity::find(conn, id)
    }

    fn view(conn: &mut AnyConnection, ctx: &Ctx, row: CooperativeRow) -> Result<Self::View, Error> {
        CooperativeEntity::view(conn, ctx, row)
    }

    /// Sets or clears the override; the computed status stays as it is underneath.
    fn store(
        conn: &mut AnyConnection,
        id: CooperativeId,
        _expected_version: i64,
        status_override: Self::Changes,
    ) -> Result<(), Error> {
        let current = store::find(conn, id, false)?;
        let computed = computed_of(&current);
        let effective = status_override
            .as_ref()
            .map_or(computed.status, |(status, _)| *status);
        let status_override = status_override
            .as_ref()
            .map(|(status, reason)| (*status, reason.as_str()));
        store::set_status(conn, id, &computed, status_override, effective)?;
        Ok(())
    }
}
