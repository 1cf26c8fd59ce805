//! Dissolution proposals: `/api/v1/dissolution-proposals`. A proposal is created by the case
//! transition `propose_dissolution`; here it is read and moved on.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use klinik_domain::Violations;
use klinik_domain::clinic::outcome::{DissolutionReason, ProposalStatus};
use klinik_domain::text::multi_line;
use klinik_persistence::AnyConnection;
use klinik_persistence::clinic::dissolutions::{self as store, ProposalFilter, ProposalRow};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::cases::closing::set_override;
use super::{check_ids, paging};
use crate::audit::AuditContext;
use crate::extract::{IfMatch, JsonBody, QueryParams};
use crate::problem::{ApiError, responses};
use crate::routes::cooperatives::dto::utc;
use crate::routes::{Page, PageRequest, with_etag};
use crate::state::AppState;

pub const NOTE_MAX_CHARS: usize = 2000;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_dissolution_proposals)
        .service(get_dissolution_proposal)
        .service(create_dissolution_proposal_transition);
}

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

fn load_rows(
    conn: &mut AnyConnection,
    rows: Vec<ProposalRow>,
) -> Result<Vec<DissolutionProposal>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let reasons = store::reasons_of(conn, &ids)?;
    let stored = |_| ApiError::internal(&"stored dissolution proposal");
    rows.into_iter()
        .map(|row| {
            let status: ProposalStatus = row.status.parse().map_err(stored)?;
            Ok(DissolutionProposal {
                id: row.id,
                case_id: row.case_id,
                cooperative_id: row.cooperative_id,
                status,
                reasons: reasons
                    .iter()
                    .filter(|(p, _)| *p == row.id)
                    .map(|(_, r)| r.parse().map_err(stored))
                    .collect::<Result<_, _>>()?,
                note: row.note,
                allowed_statuses: ProposalStatus::ALL
                    .iter()
                    .copied()
                    .filter(|to| status.may_become(*to))
                    .collect(),
                version: row.version,
                created_at: utc(row.created_at),
                updated_at: utc(row.updated_at),
            })
        })
        .collect()
}

fn load(conn: &mut AnyConnection, id: i64) -> Result<DissolutionProposal, ApiError> {
    let row = store::find(conn, id).map_err(ApiError::missing("Dissolution proposal"))?;
    load_rows(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::not_found("Dissolution proposal"))
}

/// Filters of the proposal list; they combine with AND. Unknown parameters are a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProposalQuery {
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

/// List dissolution proposals, newest first.
#[utoipa::path(
    operation_id = "list_dissolution_proposals",
    tag = "clinic",
    params(ProposalQuery),
    responses(
        (status = 200, description = "One page of proposals.", body = Page<DissolutionProposal>),
        (status = 400, response = responses::BadRequest),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/dissolution-proposals")]
pub async fn list_dissolution_proposals(
    state: web::Data<AppState>,
    query: QueryParams<ProposalQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let page = PageRequest::new(q.page, q.page_size)?;
    check_ids(&[("cooperative_id", q.cooperative_id), ("case_id", q.case_id)])?;
    let filter = ProposalFilter {
        status: q.status.map(|s| s.as_str().into()),
        cooperative_id: q.cooperative_id,
        case_id: q.case_id,
    };
    let (items, total) = state
        .read(move |conn| {
            let (rows, total) = store::list(conn, &filter, paging(&page))?;
            Ok((load_rows(conn, rows)?, total))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page.wrap_capped(items, total)))
}

/// Read a dissolution proposal.
#[utoipa::path(
    operation_id = "get_dissolution_proposal",
    tag = "clinic",
    params(("id" = i64, Path, description = "The proposal's id.", minimum = 1)),
    responses(
        (status = 200, description = "The proposal.", body = DissolutionProposal,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/dissolution-proposals/{id}")]
pub async fn get_dissolution_proposal(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let record = state.read(move |conn| load(conn, id)).await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
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

/// Move a dissolution proposal.
///
/// submitted → forwarded (to the ministry); submitted or forwarded → approved (the cooperative's
/// status becomes `dibubarkan`), rejected or withdrawn (its status before the proposal returns).
/// Any other move is a 409 `transition_not_allowed`. Audited. A given note replaces the
/// proposal's note.
#[utoipa::path(
    operation_id = "create_dissolution_proposal_transition",
    tag = "clinic",
    request_body = ProposalTransitionRequest,
    params(
        ("id" = i64, Path, description = "The proposal's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The proposal in its new status.", body = DissolutionProposal,
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
#[post("/dissolution-proposals/{id}/transitions")]
pub async fn create_dissolution_proposal_transition(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
    body: JsonBody<ProposalTransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let request = body.value;
    if let Some(note) = &request.note {
        multi_line("note", note, NOTE_MAX_CHARS).map_err(Violations::from)?;
    }
    let record = state
        .write(move |conn| {
            let row = store::find(conn, id).map_err(ApiError::missing("Dissolution proposal"))?;
            if_match.check(row.version)?;
            let from: ProposalStatus = row
                .status
                .parse()
                .map_err(|_| ApiError::internal(&"stored proposal status"))?;
            let to = request.status;
            if !from.may_become(to) {
                return Err(ApiError::conflict(
                    "status",
                    "transition_not_allowed",
                    &format!("A dissolution proposal cannot move from {from} to {to}."),
                ));
            }
            store::set_status(conn, id, row.version, to.as_str(), request.note.as_deref())?;
            match to {
                ProposalStatus::Approved => {
                    let reason = format!("Dibubarkan: usul pembubaran no. {id} disetujui");
                    set_override(conn, row.cooperative_id, Some(("dibubarkan", &reason)))?;
                }
                ProposalStatus::Rejected | ProposalStatus::Withdrawn => {
                    let previous = row
                        .previous_override
                        .as_deref()
                        .zip(row.previous_override_reason.as_deref());
                    set_override(conn, row.cooperative_id, previous)?;
                }
                ProposalStatus::Submitted | ProposalStatus::Forwarded => {}
            }
            audit.record(
                conn,
                "transition",
                "dissolution_proposal",
                Some(id.to_string()),
                Some(json!({"from": from, "to": to, "cooperative_id": row.cooperative_id})),
            )?;
            load(conn, id)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}
