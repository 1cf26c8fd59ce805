//! Recommendations: `/api/v1/diagnoses/{id}/recommendations` and `/api/v1/recommendations`.

use klinik_app::clinic::recommendations::{
    self as recommendations, RecommendationQuery,
    model::{
        CapitalReport, CreateRecommendation, PatchRecommendation, Recommendation,
        RecommendationTransition, RecommendationTransitionRequest,
    },
};

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_recommendation)
        .service(list_diagnosis_recommendations)
        .service(list_recommendations)
        .service(get_recommendation)
        .service(update_recommendation)
        .service(create_recommendation_transition)
        .service(get_recommendation_history)
        .service(report_recommendation_capital);
}

/// Make a recommendation.
///
/// On a final diagnosis that no later diagnosis amends (409 otherwise), while its case is between
/// diagnosis and end (409 otherwise); by office staff or a member of the case's team. The
/// findings must be this diagnosis's; `permodalan` states its capital (scheme, partner bank,
/// amount requested) and no other kind does. It starts `proposed`.
#[utoipa::path(
    tag = "recommendations and capital",
    request_body = CreateRecommendation,
    params(
        ("id" = i64, Path, description = "The diagnosis's id.", minimum = 1),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see `create_cooperative`).", pattern = "^[!-~]{1,255}$"),
    ),
    responses(
        (status = 201, description = "The recommendation.", body = Recommendation,
            headers(("Location" = String, description = "URL of the recommendation."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[post("/diagnoses/{id}/recommendations")]
pub async fn create_recommendation(
    allowed: Allowed,
    id: web::Path<DiagnosisId>,
    body: CreateBody<CreateRecommendation>,
) -> Reply {
    created(recommendations::create(&allowed, *id, body.idempotency, body.value).await?)
}

/// List a diagnosis's recommendations, in the order they were made.
#[utoipa::path(
    tag = "recommendations and capital",
    params(("id" = i64, Path, description = "The diagnosis's id.", minimum = 1), SyncPageQuery),
    responses(
        (status = 200, description = "One page of recommendations.", body = Page<Recommendation>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/diagnoses/{id}/recommendations")]
pub async fn list_diagnosis_recommendations(
    allowed: Allowed,
    id: web::Path<DiagnosisId>,
    query: QueryParams<SyncPageQuery>,
) -> Reply {
    ok(recommendations::list_of_diagnosis(&allowed, *id, query.0).await?)
}

/// List recommendations, in the order they were made.
///
/// Assessors see those of their own teams' cases only.
#[utoipa::path(
    tag = "recommendations and capital",
    params(RecommendationQuery),
    responses(
        (status = 200, description = "One page of recommendations.", body = Page<Recommendation>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/recommendations")]
pub async fn list_recommendations(
    allowed: Allowed,
    query: QueryParams<RecommendationQuery>,
) -> Reply {
    ok(recommendations::list(&allowed, query.0).await?)
}

/// Read a recommendation.
#[utoipa::path(
    tag = "recommendations and capital",
    params(("id" = i64, Path, description = "The recommendation's id.", minimum = 1)),
    responses(
        (status = 200, description = "The recommendation.", body = Recommendation,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/recommendations/{id}")]
pub async fn get_recommendation(allowed: Allowed, id: web::Path<RecommendationId>) -> Reply {
    tagged(recommendations::get(&allowed, *id).await?)
}

/// Change an open recommendation.
///
/// Its findings, description, who is responsible, due date, and (for `permodalan`) the scheme,
/// bank and amount requested. A done, not done, rejected or cancelled recommendation never
/// changes (409). Send the `ETag` you read as `If-Match` (412 if it changed since).
#[utoipa::path(
    tag = "recommendations and capital",
    request_body = PatchRecommendation,
    params(
        ("id" = i64, Path, description = "The recommendation's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The changed recommendation.", body = Recommendation,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[patch("/recommendations/{id}")]
pub async fn update_recommendation(
    allowed: Allowed,
    id: web::Path<RecommendationId>,
    if_match: Precondition,
    body: JsonBody<PatchRecommendation>,
) -> Reply {
    tagged(recommendations::update(&allowed, *id, if_match.0, body.value).await?)
}

/// Move a recommendation.
///
/// proposed → agreed → in_progress → done | not_done; proposed → rejected; any open status →
/// cancelled. Any other move is a 409 `transition_not_allowed`. Kept in its history (actor, time,
/// note) and audited; the note stays out of the audit trail. Office staff and the case's team.
#[utoipa::path(
    tag = "recommendations and capital",
    request_body = RecommendationTransitionRequest,
    params(
        ("id" = i64, Path, description = "The recommendation's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The recommendation in its new status.", body = Recommendation,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[post("/recommendations/{id}/transitions")]
pub async fn create_recommendation_transition(
    allowed: Allowed,
    id: web::Path<RecommendationId>,
    if_match: Precondition,
    body: JsonBody<RecommendationTransitionRequest>,
) -> Reply {
    tagged(recommendations::transition(&allowed, *id, if_match.0, body.value).await?)
}

/// Read a recommendation's status history, oldest first.
#[utoipa::path(
    tag = "recommendations and capital",
    params(("id" = i64, Path, description = "The recommendation's id.", minimum = 1), PageQuery),
    responses(
        (status = 200, description = "One page of status changes.", body = Page<RecommendationTransition>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/recommendations/{id}/history")]
pub async fn get_recommendation_history(
    allowed: Allowed,
    id: web::Path<RecommendationId>,
    query: QueryParams<PageQuery>,
) -> Reply {
    ok(recommendations::history(&allowed, *id, query.0).await?)
}

/// Report a capital recommendation's approval and disbursement.
///
/// The amount approved and disbursed, each with its date, replacing the previous report; whole
/// rupiah; nothing disbursed before or beyond the approval (422). Only for an agreed, in-progress
/// or done `permodalan` recommendation (409 otherwise). Office staff, or the partner bank's own
/// integration client (a client linked to that bank, with scope `capital:write`; another bank's
/// client is refused with 403).
#[utoipa::path(
    tag = "recommendations and capital",
    request_body = CapitalReport,
    params(
        ("id" = i64, Path, description = "The recommendation's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The recommendation with its capital.", body = Recommendation,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 403, response = responses::Forbidden),
        (status = 409, response = responses::Conflict),
    ),
)]
#[put("/recommendations/{id}/capital")]
pub async fn report_recommendation_capital(
    allowed: Allowed,
    id: web::Path<RecommendationId>,
    if_match: Precondition,
    body: JsonBody<CapitalReport>,
) -> Reply {
    tagged(recommendations::report_capital(&allowed, *id, if_match.0, body.value).await?)
}
