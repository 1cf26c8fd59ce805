//! Dissolution proposals: `/api/v1/dissolution-proposals`.

use klinik_app::clinic::dissolutions::{
    self, DissolutionProposal, ProposalQuery, ProposalTransitionRequest,
};

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_dissolution_proposals)
        .service(get_dissolution_proposal)
        .service(create_dissolution_proposal_transition);
}

/// List dissolution proposals, newest first.
///
/// An assessor sees only the proposals of their teams' cases.
#[utoipa::path(
    tag = "follow-up",
    params(ProposalQuery),
    responses(
        (status = 200, description = "One page of proposals.", body = Page<DissolutionProposal>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/dissolution-proposals")]
pub async fn list_dissolution_proposals(
    allowed: Allowed,
    query: QueryParams<ProposalQuery>,
) -> Reply {
    ok(dissolutions::list(&allowed, query.0).await?)
}

/// Read a dissolution proposal.
///
/// An assessor reads only a proposal of their teams' cases (404 otherwise).
#[utoipa::path(
    tag = "follow-up",
    params(("id" = i64, Path, description = "The proposal's id.", minimum = 1)),
    responses(
        (status = 200, description = "The proposal.", body = DissolutionProposal,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/dissolution-proposals/{id}")]
pub async fn get_dissolution_proposal(
    allowed: Allowed,
    id: web::Path<DissolutionProposalId>,
) -> Reply {
    tagged(dissolutions::get(&allowed, *id).await?)
}

/// Move a dissolution proposal.
///
/// submitted → forwarded (to the ministry); submitted or forwarded → approved (the cooperative's
/// status becomes `dibubarkan`), rejected or withdrawn (its status before the proposal returns).
/// Any other move is a 409 `transition_not_allowed`. Audited. A given note replaces the
/// proposal's note.
#[utoipa::path(
    tag = "follow-up",
    request_body = ProposalTransitionRequest,
    params(
        ("id" = i64, Path, description = "The proposal's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The proposal in its new status.", body = DissolutionProposal,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[post("/dissolution-proposals/{id}/transitions")]
pub async fn create_dissolution_proposal_transition(
    allowed: Allowed,
    id: web::Path<DissolutionProposalId>,
    if_match: Precondition,
    body: JsonBody<ProposalTransitionRequest>,
) -> Reply {
    tagged(dissolutions::transition(&allowed, *id, if_match.0, body.value).await?)
}
