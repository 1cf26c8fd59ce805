//! Dissolution proposals for cooperatives the clinic could not cure. A proposal is created by
//! the case transition `propose_dissolution`; here it is read and moved on, and the
//! cooperative's status follows it.

use chrono::{DateTime, Utc};
use klinik_domain::activity_status::ActivityStatus;
use klinik_domain::clinic::outcome::{DissolutionReason, ProposalStatus};
use klinik_domain::text::multi_line;
use klinik_persistence::clinic::dissolutions::{self as store, ProposalFilter, ProposalRow};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::clinic::cases::access::{CaseScope, visible_case};
use crate::clinic::cases::closing::set_override;
use crate::fields::utc;
use crate::prelude::*;

pub const NOTE_MAX_CHARS: usize = 2000;

/// A proposal to dissolve a cooperative the clinic could not cure.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "case_id": 31, "cooperative_id": 12, "status": "submitted",
    "reasons": ["no_business", "no_rat_two_years"], "note": "Tidak ada kegiatan usaha sejak 2014.",
    "allowed_statuses": ["forwarded", "approved", "rejected", "withdrawn"], "version": 1,
    "created_at": "2026-11-29T10:00:00Z", "updated_at": "2026-11-29T10:00:00Z"}))]
pub struct DissolutionProposal {
    pub id: i64,
    pub case_id: i64,
    pub cooperative_id: i64,
    pub status: ProposalStatus,
    pub reasons: Vec<DissolutionReason>,
    pub note: Option<String>,
    /// The statuses it may move to next.
    pub allowed_statuses: Vec<ProposalStatus>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Tagged for DissolutionProposal {
    fn version(&self) -> i64 {
        self.version
    }
}

fn load_rows(
    conn: &mut AnyConnection,
    rows: Vec<ProposalRow>,
) -> Result<Vec<DissolutionProposal>, Error> {
    let ids: Vec<DissolutionProposalId> = rows.iter().map(|r| r.id).collect();
    let reasons = store::reasons_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let status = row.status;
            DissolutionProposal {
                id: row.id.get(),
                case_id: row.case_id.get(),
                cooperative_id: row.cooperative_id.get(),
                status,
                reasons: reasons
                    .iter()
                    .filter(|(p, _)| *p == row.id)
                    .map(|(_, r)| *r)
                    .collect(),
                note: row.note,
                allowed_statuses: ProposalStatus::ALL
                    .iter()
                    .copied()
                    .filter(|to| status.may_become(*to))
                    .collect(),
                version: row.version,
                created_at: utc(row.created_at),
                updated_at: utc(row.updated_at),
            }
        })
        .collect())
}

fn load(conn: &mut AnyConnection, id: DissolutionProposalId) -> Result<DissolutionProposal, Error> {
    let row = store::find(conn, id).map_err(Error::missing(Record::DissolutionProposal))?;
    load_rows(conn, vec![row])?
        .pop()
        .ok_or_else(|| Error::not_found(Record::DissolutionProposal))
}

/// Filters of the proposal list; they combine with AND. Unknown parameters are a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProposalQuery {
    /// Only records changed at or after this time (RFC 3339, e.g. `2026-01-31T00:00:00Z`; by
    /// `updated_at`): a sync's catch-up. Archived records count only with `include_archived`
    /// where the list has it; the change feed (`/changes`) shows archivals too.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Only proposals in this status.
    pub status: Option<ProposalStatus>,
    /// Only this cooperative's.
    #[param(minimum = 1)]
    pub cooperative_id: Option<i64>,
    /// Only the one this case made.
    #[param(minimum = 1)]
    pub case_id: Option<i64>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// Moves a proposal on, with an optional note.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "forwarded", "note": "Diteruskan ke Kementerian Koperasi, surat 518/123."}))]
pub struct ProposalTransitionRequest {
    pub status: ProposalStatus,
    /// Up to 2000 characters.
    #[schema(
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub note: Option<String>,
}

/// Proposals, newest first.
pub async fn list(ctx: &Ctx, q: ProposalQuery) -> Result<Page<DissolutionProposal>, Error> {
    let page = PageRequest::new(q.page, q.page_size)?;
    check_ids(&[("cooperative_id", q.cooperative_id), ("case_id", q.case_id)])?;
    let mut filter = ProposalFilter {
        updated_since: q.updated_since.map(|t| t.naive_utc()),
        status: q.status,
        cooperative_id: q.cooperative_id.map(CooperativeId),
        case_id: q.case_id.map(CaseId),
        team_of: None,
    };
    let (items, total) = ctx
        .read(move |conn, ctx| {
            filter.team_of = CaseScope::of(conn, &ctx.caller)?.team_filter();
            let (rows, total) = store::list(conn, &filter, paging(&page))?;
            Ok::<_, Error>((load_rows(conn, rows)?, total))
        })
        .await?;
    Ok(page.wrap_capped(items, total))
}

/// One proposal; an assessor sees only those of their teams' cases (404 otherwise).
pub async fn get(ctx: &Ctx, id: DissolutionProposalId) -> Result<DissolutionProposal, Error> {
    ctx.read(move |conn, ctx| {
        let proposal = load(conn, id)?;
        let scope = CaseScope::of(conn, &ctx.caller)?;
        visible_case(conn, &scope, CaseId(proposal.case_id))
            .map_err(|_| Error::not_found(Record::DissolutionProposal))?;
        Ok(proposal)
    })
    .await
}

/// Moves a proposal: submitted → forwarded; submitted or forwarded → approved (the cooperative
/// becomes `dibubarkan`), rejected or withdrawn (its status before returns). 409 otherwise.
pub async fn transition(
    ctx: &Ctx,
    id: DissolutionProposalId,
    if_match: IfMatch,
    request: ProposalTransitionRequest,
) -> Result<DissolutionProposal, Error> {
    if let Some(note) = &request.note {
        multi_line("note", note, NOTE_MAX_CHARS)?;
    }
    ctx.write(move |conn, ctx| {
        let row = store::find(conn, id).map_err(Error::missing(Record::DissolutionProposal))?;
        if_match.check(row.version)?;
        let (from, to) = (row.status, request.status);
        if !from.may_become(to) {
            return Err(Error::conflict(
                "status",
                "transition_not_allowed",
                msg!(
                    "A dissolution proposal cannot move from %{from} to %{to}.",
                    from = from,
                    to = to
                ),
            ));
        }
        store::set_status(conn, id, row.version, to, request.note.as_deref())?;
        match to {
            ProposalStatus::Approved => {
                let reason = format!("Dibubarkan: usul pembubaran no. {id} disetujui");
                set_override(
                    conn,
                    row.cooperative_id,
                    Some((ActivityStatus::Dibubarkan, &reason)),
                )?;
            }
            ProposalStatus::Rejected | ProposalStatus::Withdrawn => {
                let previous = row
                    .previous_override
                    .zip(row.previous_override_reason.as_deref());
                set_override(conn, row.cooperative_id, previous)?;
            }
            ProposalStatus::Submitted | ProposalStatus::Forwarded => {}
        }
        versioned::committed(
            conn,
            ctx,
            "transition",
            "dissolution_proposal",
            &id.to_string(),
            Some(json!({"from": from, "to": to, "cooperative_id": row.cooperative_id})),
        )?;
        load(conn, id)
    })
    .await
}
