//! The cooperative registry: `/api/v1/cooperatives`.

pub mod dto;
mod handlers;
mod status;

use std::collections::HashMap;

use klinik_domain::activity_status::{ActivityRule, RatEvidence};
use klinik_persistence::cooperatives::{
    self as store, ComputedStatus, CooperativeRow, StatusSnapshot,
};
use klinik_persistence::{AnyConnection, annual_reports};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::problem::ApiError;
use crate::state::RegionIndex;
use dto::Cooperative;

pub use handlers::{
    CooperativeFilters, CooperativeQuery, CooperativeSort, IncludeArchivedQuery, cooperative_filter,
};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(handlers::create_cooperative)
        .service(handlers::list_cooperatives)
        .service(handlers::get_cooperative)
        .service(handlers::update_cooperative)
        .service(handlers::archive_cooperative)
        .service(status::set_status_override)
        .service(status::clear_status_override);
}

/// Personal data of a cooperative: in the audit trail it shows only as changed.
pub const PERSONAL: &[&str] = &["board_members"];

/// Documented once for every operation on `/cooperatives/{id}`.
pub const ID_DESCRIPTION: &str = "The cooperative's id.";

/// The status the rule gives a cooperative today, from its annual reports.
pub fn compute_status(
    conn: &mut AnyConnection,
    rule: ActivityRule,
    cooperative_id: i64,
    current_year: i32,
) -> Result<ComputedStatus, ApiError> {
    let evidence: Vec<RatEvidence> = annual_reports::rat_evidence(conn, cooperative_id)?
        .into_iter()
        .map(|(book_year, rat_held)| RatEvidence {
            book_year,
            rat_held,
        })
        .collect();
    Ok(ComputedStatus {
        status: rule.evaluate(current_year, &evidence).as_str().to_owned(),
        rule: rule.name(),
    })
}

/// The status of a new cooperative: the rule applied to no reports at all.
pub fn initial_status(rule: ActivityRule) -> ComputedStatus {
    ComputedStatus {
        status: rule.evaluate(current_year(), &[]).as_str().to_owned(),
        rule: rule.name(),
    }
}

/// Recomputes a cooperative's status after its reports changed.
pub fn refresh_status(
    conn: &mut AnyConnection,
    rule: ActivityRule,
    row: &CooperativeRow,
) -> Result<(), ApiError> {
    let computed = compute_status(conn, rule, row.id, current_year())?;
    let snapshot = StatusSnapshot {
        id: row.id,
        computed_status: row.computed_status.clone(),
        status_rule: row.status_rule.clone(),
        status_override: row.status_override.clone(),
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
) -> Result<bool, klinik_persistence::StoreError> {
    if computed.status == stored.computed_status && computed.rule == stored.status_rule {
        return Ok(false);
    }
    let status_override = stored
        .status_override
        .as_deref()
        .zip(stored.status_override_reason.as_deref());
    let effective = stored
        .status_override
        .clone()
        .unwrap_or_else(|| computed.status.clone());
    store::set_status(conn, stored.id, &computed, status_override, &effective)?;
    Ok(true)
}

/// Recomputes every cooperative's status with `rule` as of today, so that a new year or a changed
/// rule takes effect; run at start-up. Returns how many changed.
pub fn refresh_all_statuses(
    conn: &mut AnyConnection,
    rule: ActivityRule,
) -> Result<usize, klinik_persistence::StoreError> {
    let mut evidence: HashMap<i64, Vec<RatEvidence>> = HashMap::new();
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
            status: rule.evaluate(year, reports).as_str().to_owned(),
            rule: rule.name(),
        };
        if store_if_changed(conn, &stored, computed)? {
            changed += 1;
        }
    }
    Ok(changed)
}

pub fn current_year() -> i32 {
    chrono::Datelike::year(&chrono::Utc::now().date_naive())
}

/// Reads one cooperative with its board, as the API shows it.
pub fn load(
    conn: &mut AnyConnection,
    regions: &RegionIndex,
    id: i64,
    include_archived: bool,
) -> Result<Cooperative, ApiError> {
    let row = store::find(conn, id, include_archived).map_err(ApiError::missing("Cooperative"))?;
    let board = store::boards_of(conn, &[row.id])?;
    Ok(Cooperative::from_rows(row, board, regions))
}

/// Turns rows into API records, fetching all their boards in one query.
pub fn with_boards(
    conn: &mut AnyConnection,
    regions: &RegionIndex,
    rows: Vec<CooperativeRow>,
) -> Result<Vec<Cooperative>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut boards: HashMap<i64, Vec<_>> = HashMap::new();
    for member in store::boards_of(conn, &ids)? {
        boards
            .entry(member.cooperative_id)
            .or_default()
            .push(member);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let board = boards.remove(&row.id).unwrap_or_default();
            Cooperative::from_rows(row, board, regions)
        })
        .collect())
}

/// A duplicate registration number, named as the field it concerns.
pub fn duplicate(error: klinik_persistence::StoreError) -> ApiError {
    if error.duplicate_of("registration_number") {
        ApiError::conflict(
            "registration_number",
            "duplicate_registration_number",
            "Another cooperative already has this registration number.",
        )
    } else {
        ApiError::from(error)
    }
}
