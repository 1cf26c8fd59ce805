//! Evaluations (monitoring and evaluation): `/api/v1/cases/{id}/evaluations` and
//! `/api/v1/evaluations/{id}`.

use klinik_app::clinic::evaluations::{self, CreateEvaluation, Evaluation};

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_evaluation)
        .service(list_case_evaluations)
        .service(get_evaluation);
}

/// Record an evaluation.
///
/// While the case is `evaluating` (409 otherwise); by office staff or the case's team. The
/// server reads the indicators from the registries (annual reports, health assessments, yearly
/// figures), so correct those first. The proposed next step is what `continue_mentoring`,
/// `close` and `propose_dissolution` require; closing computes the outcome from this
/// evaluation's conclusion.
#[utoipa::path(
    tag = "follow-up",
    request_body = CreateEvaluation,
    params(
        ("id" = i64, Path, description = "The case's id.", minimum = 1),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see `create_cooperative`).", pattern = "^[!-~]{1,255}$"),
    ),
    responses(
        (status = 201, description = "Recorded.", body = Evaluation,
            headers(("Location" = String, description = "URL of the evaluation."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[post("/cases/{id}/evaluations")]
pub async fn create_evaluation(
    allowed: Allowed,
    id: web::Path<CaseId>,
    body: CreateBody<CreateEvaluation>,
) -> Reply {
    created(evaluations::create(&allowed, *id, body.idempotency, body.value).await?)
}

/// List a case's evaluations, oldest first.
#[utoipa::path(
    tag = "follow-up",
    params(("id" = i64, Path, description = "The case's id.", minimum = 1), SyncPageQuery),
    responses(
        (status = 200, description = "One page of evaluations.", body = Page<Evaluation>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/cases/{id}/evaluations")]
pub async fn list_case_evaluations(
    allowed: Allowed,
    id: web::Path<CaseId>,
    query: QueryParams<SyncPageQuery>,
) -> Reply {
    ok(evaluations::list_of_case(&allowed, *id, query.0).await?)
}

/// Read an evaluation.
#[utoipa::path(
    tag = "follow-up",
    params(("id" = i64, Path, description = "The evaluation's id.", minimum = 1)),
    responses(
        (status = 200, description = "The evaluation.", body = Evaluation,
            headers(("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/evaluations/{id}")]
pub async fn get_evaluation(allowed: Allowed, id: web::Path<EvaluationId>) -> Reply {
    tagged(evaluations::get(&allowed, *id).await?)
}
