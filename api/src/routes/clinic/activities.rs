//! Mentoring activities: `/api/v1/cases/{id}/activities` and `/api/v1/activities/{id}`.

use klinik_app::clinic::activities::{self, Activity, CreateActivity, PatchActivity};

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_activity)
        .service(list_case_activities)
        .service(get_activity)
        .service(update_activity);
}

/// Record a mentoring activity.
///
/// A visit, training, consultation, financing or licensing facilitation, or business meeting,
/// while the case is mentored or evaluated (409 otherwise); by office staff or the case's team.
/// The notes may describe people: they are never logged, and the audit trail records only that
/// they changed.
#[utoipa::path(
    tag = "follow-up",
    request_body = CreateActivity,
    params(
        ("id" = i64, Path, description = "The case's id.", minimum = 1),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see `create_cooperative`).", pattern = "^[!-~]{1,255}$"),
    ),
    responses(
        (status = 201, description = "Recorded.", body = Activity,
            headers(("Location" = String, description = "URL of the activity."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[post("/cases/{id}/activities")]
pub async fn create_activity(
    allowed: Allowed,
    id: web::Path<CaseId>,
    body: CreateBody<CreateActivity>,
) -> Reply {
    created(activities::create(&allowed, *id, body.idempotency, body.value).await?)
}

/// List a case's mentoring activities, latest first.
#[utoipa::path(
    tag = "follow-up",
    params(("id" = i64, Path, description = "The case's id.", minimum = 1), SyncPageQuery),
    responses(
        (status = 200, description = "One page of activities.", body = Page<Activity>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/cases/{id}/activities")]
pub async fn list_case_activities(
    allowed: Allowed,
    id: web::Path<CaseId>,
    query: QueryParams<SyncPageQuery>,
) -> Reply {
    ok(activities::list_of_case(&allowed, *id, query.0).await?)
}

/// Read a mentoring activity.
#[utoipa::path(
    tag = "follow-up",
    params(("id" = i64, Path, description = "The activity's id.", minimum = 1)),
    responses(
        (status = 200, description = "The activity.", body = Activity,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/activities/{id}")]
pub async fn get_activity(allowed: Allowed, id: web::Path<ActivityId>) -> Reply {
    tagged(activities::get(&allowed, *id).await?)
}

/// Change a mentoring activity.
///
/// While the case is mentored or evaluated (409 otherwise). Absent fields stay; `null` clears
/// `notes` or `recommendation_id`; `expert_ids` replaces the list. Send the `ETag` you read as
/// `If-Match` (412 if it changed since).
#[utoipa::path(
    tag = "follow-up",
    request_body = PatchActivity,
    params(
        ("id" = i64, Path, description = "The activity's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The changed activity.", body = Activity,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[patch("/activities/{id}")]
pub async fn update_activity(
    allowed: Allowed,
    id: web::Path<ActivityId>,
    if_match: Precondition,
    body: JsonBody<PatchActivity>,
) -> Reply {
    tagged(activities::update(&allowed, *id, if_match.0, body.value).await?)
}
