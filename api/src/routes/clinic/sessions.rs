//! Clinic sessions: `/api/v1/clinic-sessions`.

use klinik_app::clinic::sessions::{self, CreateSession, PatchSession, Session, SessionQuery};

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_clinic_session)
        .service(list_clinic_sessions)
        .service(get_clinic_session)
        .service(update_clinic_session);
}

/// Record a clinic session.
///
/// An event of a programme (information, diagnosis, training, mentoring, monitoring) with its
/// venue, speakers, the experts present, and the programme's cases that attended or not.
#[utoipa::path(
    tag = "clinic sessions",
    request_body = CreateSession,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see `create_cooperative`).", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Recorded.", body = Session,
            headers(("Location" = String, description = "URL of the session."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[post("/clinic-sessions")]
pub async fn create_clinic_session(allowed: Allowed, body: CreateBody<CreateSession>) -> Reply {
    created(sessions::create(&allowed, body.idempotency, body.value).await?)
}

/// List clinic sessions, latest first.
///
/// An assessor sees the sessions they attended or that a case of their teams attended, and in
/// each only their teams' cases.
#[utoipa::path(
    tag = "clinic sessions",
    params(SessionQuery),
    responses(
        (status = 200, description = "One page of sessions.", body = Page<Session>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/clinic-sessions")]
pub async fn list_clinic_sessions(allowed: Allowed, query: QueryParams<SessionQuery>) -> Reply {
    ok(sessions::list(&allowed, query.0).await?)
}

/// Read a clinic session.
///
/// An assessor reads only a session they attended or that a case of their teams attended (404
/// otherwise), with only their teams' cases in it.
#[utoipa::path(
    tag = "clinic sessions",
    params(("id" = i64, Path, description = "The session's id.", minimum = 1)),
    responses(
        (status = 200, description = "The session.", body = Session,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/clinic-sessions/{id}")]
pub async fn get_clinic_session(allowed: Allowed, id: web::Path<ClinicSessionId>) -> Reply {
    tagged(sessions::get(&allowed, *id).await?)
}

/// Change a clinic session.
///
/// Absent fields stay, `null` clears `notes`, lists replace their lists (e.g. to mark who came).
/// Send the `ETag` you read as `If-Match` (412 if it changed since).
#[utoipa::path(
    tag = "clinic sessions",
    request_body = PatchSession,
    params(
        ("id" = i64, Path, description = "The session's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The changed session.", body = Session,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[patch("/clinic-sessions/{id}")]
pub async fn update_clinic_session(
    allowed: Allowed,
    id: web::Path<ClinicSessionId>,
    if_match: Precondition,
    body: JsonBody<PatchSession>,
) -> Reply {
    tagged(sessions::update(&allowed, *id, if_match.0, body.value).await?)
}
