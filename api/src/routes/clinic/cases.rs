//! Clinic cases: `/api/v1/cases`, their team, history, transitions and outcome.

use klinik_app::clinic::cases::{
    self, CaseQuery, HistoryQuery,
    model::{Case, CreateCase, PatchCase, Transition, TransitionRequest},
    outcome::{self, OutcomeOverride},
    transitions,
};

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_case)
        .service(list_cases)
        .service(get_case)
        .service(update_case)
        .service(get_case_history)
        .service(create_case_transition)
        .service(override_case_outcome);
}

/// Register a case.
///
/// A cooperative or UKM enters a programme's clinic as `registered`. One open case per subject
/// per programme (409 otherwise); the subject and the programme must exist, the experts be active.
#[utoipa::path(
    tag = "cases and diagnoses",
    request_body = CreateCase,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see `create_cooperative`).", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Registered.", body = Case,
            headers(("Location" = String, description = "URL of the new case."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[post("/cases")]
pub async fn create_case(allowed: Allowed, body: CreateBody<CreateCase>) -> Reply {
    created(cases::create(&allowed, body.idempotency, body.value).await?)
}

/// List cases, newest registration first.
///
/// An assessor sees only the cases whose diagnosis team includes them.
#[utoipa::path(
    tag = "cases and diagnoses",
    params(CaseQuery),
    responses(
        (status = 200, description = "One page of cases.", body = Page<Case>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/cases")]
pub async fn list_cases(allowed: Allowed, query: QueryParams<CaseQuery>) -> Reply {
    ok(cases::list(&allowed, query.0).await?)
}

/// Read a case.
///
/// With its subject, team, mentors, baseline and latest assessments and the actions its status
/// allows. An assessor reads only cases on whose team they are (404 otherwise).
#[utoipa::path(
    tag = "cases and diagnoses",
    params(("id" = i64, Path, description = "The case's id.", minimum = 1)),
    responses(
        (status = 200, description = "The case.", body = Case,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/cases/{id}")]
pub async fn get_case(allowed: Allowed, id: web::Path<CaseId>) -> Reply {
    tagged(cases::get(&allowed, *id).await?)
}

/// Change a case's team, mentors or referral source.
///
/// Only while the case is open (409 once it is closed, rejected, withdrawn or proposed for
/// dissolution). `team` and `mentor_ids` replace their lists. Send the `ETag` you read as
/// `If-Match` (412 if it changed since).
#[utoipa::path(
    tag = "cases and diagnoses",
    request_body = PatchCase,
    params(
        ("id" = i64, Path, description = "The case's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The changed case.", body = Case,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[patch("/cases/{id}")]
pub async fn update_case(
    allowed: Allowed,
    id: web::Path<CaseId>,
    if_match: Precondition,
    body: JsonBody<PatchCase>,
) -> Reply {
    tagged(cases::update(&allowed, *id, if_match.0, body.value).await?)
}

/// Read a case's history.
///
/// Every transition, oldest first, with the action, the statuses before and after, who made it,
/// when, and the note.
#[utoipa::path(
    tag = "cases and diagnoses",
    params(("id" = i64, Path, description = "The case's id.", minimum = 1), HistoryQuery),
    responses(
        (status = 200, description = "One page of the case's transitions.", body = Page<Transition>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/cases/{id}/history")]
pub async fn get_case_history(
    allowed: Allowed,
    id: web::Path<CaseId>,
    query: QueryParams<HistoryQuery>,
) -> Reply {
    ok(cases::history(&allowed, *id, query.0).await?)
}

/// Move a case.
///
/// Applies an action of the case machine (registered → screened → diagnosing → recommending →
/// mentoring → evaluating → closed; reject; withdraw; re-diagnose; propose dissolution). An action
/// the current status does not allow is a 409; a guard that does not hold is a 422 whose error
/// code names it: `outside_city_supervision` (a cooperative whose membership area is not `kota`
/// belongs to the province or the ministry), `note_required`, `team_required`,
/// `final_diagnosis_required`, `finding_required`, `agreed_recommendation_required`,
/// `activity_required`, `evaluation_required`, `outcome_required`, `cooperative_only`,
/// `dissolution_proposal_required`, `recommendation_required`. Every transition is kept in the
/// case's history and audited. Office staff take every action but `propose_dissolution` (admin);
/// the team's lead may also `finish_diagnosis`.
///
/// `close` computes the case's outcome (`bagus` when the evidence meets the rule `bagus_default`
/// v1: savings-and-loan cooperatives reach `cukup_sehat` or `sehat` on the latest final
/// assessment; other cooperatives held RAT for the last book year, kept SHU at least at the year
/// before's, and are active; UKM are active and grew their turnover or moved up a size class;
/// otherwise the latest evaluation's conclusion: `membaik`, `tetap`, `memburuk`), stored with
/// the rule and the evidence. `propose_dissolution` carries `dissolution.reasons`, creates the
/// dissolution proposal and sets the cooperative's status to `diusulkan_bubar` (409
/// `proposal_open` when the cooperative already has an open one).
#[utoipa::path(
    tag = "cases and diagnoses",
    request_body = TransitionRequest,
    params(
        ("id" = i64, Path, description = "The case's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the case has changed since."),
    ),
    responses(
        (status = 200, description = "The case in its new status.", body = Case,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[post("/cases/{id}/transitions")]
pub async fn create_case_transition(
    allowed: Allowed,
    id: web::Path<CaseId>,
    if_match: Precondition,
    body: JsonBody<TransitionRequest>,
) -> Reply {
    tagged(transitions::create(&allowed, *id, if_match.0, body.value).await?)
}

/// Override a closed case's outcome.
///
/// The computed outcome, its rule and evidence stay beside the override; the reason, who and when
/// are recorded and audited. Only a closed case has an outcome (409 otherwise).
#[utoipa::path(
    tag = "cases and diagnoses",
    request_body = OutcomeOverride,
    params(
        ("id" = i64, Path, description = "The case's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the case has changed since."),
    ),
    responses(
        (status = 200, description = "The case with its overridden outcome.", body = Case,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[put("/cases/{id}/outcome")]
pub async fn override_case_outcome(
    allowed: Allowed,
    id: web::Path<CaseId>,
    if_match: Precondition,
    body: JsonBody<OutcomeOverride>,
) -> Reply {
    tagged(outcome::set(&allowed, *id, if_match.0, body.value).await?)
}
