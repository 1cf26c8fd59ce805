//! Diagnoses of a case: `/api/v1/cases/{id}/diagnoses` and `/api/v1/diagnoses/{id}`.

use klinik_app::clinic::diagnoses::{
    self,
    model::{CreateDiagnosis, Diagnosis, FinalizeRequest, MemberScoreInput, PatchDiagnosis},
};

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_diagnosis)
        .service(list_case_diagnoses)
        .service(get_diagnosis)
        .service(update_diagnosis)
        .service(put_member_score)
        .service(finalize_diagnosis);
}

/// Start a diagnosis.
///
/// A draft for a case in `diagnosing`, by office staff or a member of the case's team. A case has
/// at most one draft at a time (409). When the case already has a final diagnosis, the new one
/// amends it (`supersedes_id`); both stay readable.
#[utoipa::path(
    tag = "cases and diagnoses",
    request_body = CreateDiagnosis,
    params(
        ("id" = i64, Path, description = "The case's id.", minimum = 1),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see `create_cooperative`).", pattern = "^[!-~]{1,255}$"),
    ),
    responses(
        (status = 201, description = "The draft.", body = Diagnosis,
            headers(("Location" = String, description = "URL of the diagnosis."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[post("/cases/{id}/diagnoses")]
pub async fn create_diagnosis(
    allowed: Allowed,
    id: web::Path<CaseId>,
    body: CreateBody<CreateDiagnosis>,
) -> Reply {
    created(diagnoses::create(&allowed, *id, body.idempotency, body.value).await?)
}

/// List a case's diagnoses, first to last (drafts, finals and the ones amended).
#[utoipa::path(
    tag = "cases and diagnoses",
    params(("id" = i64, Path, description = "The case's id.", minimum = 1), SyncPageQuery),
    responses(
        (status = 200, description = "One page of the case's diagnoses.", body = Page<Diagnosis>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/cases/{id}/diagnoses")]
pub async fn list_case_diagnoses(
    allowed: Allowed,
    id: web::Path<CaseId>,
    query: QueryParams<SyncPageQuery>,
) -> Reply {
    ok(diagnoses::list_of_case(&allowed, *id, query.0).await?)
}

/// Read a diagnosis.
#[utoipa::path(
    tag = "cases and diagnoses",
    params(("id" = i64, Path, description = "The diagnosis's id.", minimum = 1)),
    responses(
        (status = 200, description = "The diagnosis.", body = Diagnosis,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/diagnoses/{id}")]
pub async fn get_diagnosis(allowed: Allowed, id: web::Path<DiagnosisId>) -> Reply {
    tagged(diagnoses::get(&allowed, *id).await?)
}

/// Change a draft diagnosis.
///
/// Any member of the team (or office staff) edits a draft; a final diagnosis never changes (409).
/// Absent fields stay; `null` clears `summary` or `health_assessment`; `findings` replaces the
/// list. Send the `ETag` you read as `If-Match` (412 if it changed since).
#[utoipa::path(
    tag = "cases and diagnoses",
    request_body = PatchDiagnosis,
    params(
        ("id" = i64, Path, description = "The diagnosis's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the diagnosis has changed since."),
    ),
    responses(
        (status = 200, description = "The changed draft.", body = Diagnosis,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[patch("/diagnoses/{id}")]
pub async fn update_diagnosis(
    allowed: Allowed,
    id: web::Path<DiagnosisId>,
    if_match: Precondition,
    body: JsonBody<PatchDiagnosis>,
) -> Reply {
    tagged(diagnoses::update(&allowed, *id, if_match.0, body.value).await?)
}

/// Record a team member's own scores on a draft.
///
/// Each member of the diagnosis team may score the subject with an instrument; an assessor
/// records only their own scores, office staff any member's. Recording again replaces them.
#[utoipa::path(
    tag = "cases and diagnoses",
    request_body = MemberScoreInput,
    params(
        ("id" = i64, Path, description = "The diagnosis's id.", minimum = 1),
        ("expert_id" = i64, Path, description = "The team member's expert id.", minimum = 1),
    ),
    responses(
        (status = 200, description = "The draft with the member's scores.", body = Diagnosis,
            headers(("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[put("/diagnoses/{id}/member-scores/{expert_id}")]
pub async fn put_member_score(
    allowed: Allowed,
    path: web::Path<(DiagnosisId, ExpertId)>,
    body: JsonBody<MemberScoreInput>,
) -> Reply {
    tagged(diagnoses::put_member_score(&allowed, *path, body.value).await?)
}

/// Finalize a diagnosis.
///
/// The team's lead (or office staff on the lead's behalf) makes a draft final, recording who of
/// the team agreed (the lead always does). It needs at least one finding (422
/// `finding_required`) and a case in `diagnosing` (409). A final diagnosis never changes. The
/// case's first final health assessment becomes its baseline.
#[utoipa::path(
    tag = "cases and diagnoses",
    request_body = FinalizeRequest,
    params(
        ("id" = i64, Path, description = "The diagnosis's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the diagnosis has changed since."),
    ),
    responses(
        (status = 200, description = "The final diagnosis.", body = Diagnosis,
            headers(("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[post("/diagnoses/{id}/finalize")]
pub async fn finalize_diagnosis(
    allowed: Allowed,
    id: web::Path<DiagnosisId>,
    if_match: Precondition,
    body: JsonBody<FinalizeRequest>,
) -> Reply {
    tagged(diagnoses::finalize(&allowed, *id, if_match.0, body.value).await?)
}
