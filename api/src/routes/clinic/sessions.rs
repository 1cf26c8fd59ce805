//! Clinic sessions: `/api/v1/clinic-sessions`.

mod dto;

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use klinik_domain::clinic::SessionKind;
use klinik_persistence::clinic::sessions::{self as store, Attendance, SessionFilter, SessionRow};
use klinik_persistence::clinic::{cases, experts, programmes};
use klinik_persistence::{AnyConnection, StoreError};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::{CreateSession, PatchSession, Session, SessionCase, SessionExpert};

use super::paging;
use crate::audit::{AuditContext, diff};
use crate::extract::{IdempotencyKey, IfMatch, JsonBody, QueryParams, etag};
use crate::problem::{ApiError, responses};
use crate::routes::created::{Created, create_once};
use crate::routes::{Page, PageRequest, with_etag};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_session)
        .service(list_sessions)
        .service(get_session)
        .service(update_session);
}

fn with_attendance(
    conn: &mut AnyConnection,
    rows: Vec<SessionRow>,
) -> Result<Vec<Session>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut attendance: HashMap<i64, Attendance> =
        store::attendance_of(conn, &ids)?.into_iter().collect();
    let people: Vec<i64> = attendance
        .values()
        .flat_map(|a| a.speakers.iter().chain(a.experts_present.iter()).copied())
        .collect();
    let names: HashMap<i64, String> = experts::names(conn, &people)?
        .into_iter()
        .map(|(id, name, _)| (id, name))
        .collect();
    rows.into_iter()
        .map(|row| {
            let seen = attendance.remove(&row.id).unwrap_or_default();
            Session::from_row(row, seen, |id| names.get(&id).cloned().unwrap_or_default())
        })
        .collect()
}

fn load(conn: &mut AnyConnection, id: i64) -> Result<Session, ApiError> {
    let row = store::find(conn, id).map_err(ApiError::missing("Clinic session"))?;
    with_attendance(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::not_found("Clinic session"))
}

/// The programme must exist, the experts too, and every case belong to the programme (422).
fn check_references(
    conn: &mut AnyConnection,
    programme_id: i64,
    attendance: &Attendance,
) -> Result<(), ApiError> {
    programmes::find(conn, programme_id, false).map_err(|e| match e {
        StoreError::NotFound => ApiError::validation(
            "programme_id",
            "unknown_programme",
            "is not a programme (or it is archived)",
        ),
        other => other.into(),
    })?;
    for (field, ids) in [
        ("speaker_ids", &attendance.speakers),
        ("expert_ids_present", &attendance.experts_present),
    ] {
        let found = experts::existing_ids(conn, ids)?;
        if let Some(i) = ids.iter().position(|id| !found.contains(id)) {
            return Err(ApiError::validation(
                &format!("{field}[{i}]"),
                "unknown_expert",
                "is not an expert (or it is archived)",
            ));
        }
    }
    let case_ids: Vec<i64> = attendance.cases.iter().map(|(c, _)| *c).collect();
    let found = cases::programmes_of(conn, &case_ids)?;
    if let Some(i) = case_ids
        .iter()
        .position(|id| !found.iter().any(|(c, p)| c == id && *p == programme_id))
    {
        return Err(ApiError::validation(
            &format!("cases[{i}].case_id"),
            "case_not_in_programme",
            "is not a case of this session's programme",
        ));
    }
    Ok(())
}

/// Record a clinic session.
///
/// An event of a programme (information, diagnosis, training, mentoring, monitoring) with its
/// venue, speakers, the experts present, and the programme's cases that attended or not.
#[utoipa::path(
    operation_id = "create_clinic_session",
    tag = "clinic",
    request_body = CreateSession,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see `create_cooperative`).", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Recorded.", body = Session,
            headers(("Location" = String, description = "URL of the session."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/clinic-sessions")]
pub async fn create_session(
    state: web::Data<AppState>,
    request: HttpRequest,
    key: IdempotencyKey,
    audit: AuditContext,
    body: JsonBody<CreateSession>,
) -> Result<HttpResponse, ApiError> {
    let JsonBody { value, raw } = body;
    let (fields, attendance) = value.split();
    dto::check(&fields, &attendance)?;
    let scope = format!("POST {}", request.path());
    let (created, replayed) = state
        .write(move |conn| {
            create_once(conn, &scope, key.0.as_deref(), &raw, |conn| {
                check_references(conn, fields.programme_id, &attendance)?;
                let row = store::insert(conn, &fields)?;
                store::replace_attendance(conn, row.id, &attendance)?;
                let record = load(conn, row.id)?;
                audit.record(
                    conn,
                    "create",
                    "clinic_session",
                    Some(record.id.to_string()),
                    None,
                )?;
                Created::new(
                    &record,
                    format!("/api/v1/clinic-sessions/{}", record.id),
                    etag(record.version),
                )
            })
        })
        .await?;
    Ok(created.into_response(replayed))
}

/// Filters of the session list; they combine with AND. Unknown parameters are a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    /// Only sessions of this programme.
    #[param(minimum = 1)]
    pub programme_id: Option<i64>,
    /// Only sessions of this kind.
    pub kind: Option<SessionKind>,
    /// Only sessions this case was invited to.
    #[param(minimum = 1)]
    pub case_id: Option<i64>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// List clinic sessions, latest first.
#[utoipa::path(
    operation_id = "list_clinic_sessions",
    tag = "clinic",
    params(SessionQuery),
    responses(
        (status = 200, description = "One page of sessions.", body = Page<Session>),
        (status = 400, response = responses::BadRequest),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/clinic-sessions")]
pub async fn list_sessions(
    state: web::Data<AppState>,
    query: QueryParams<SessionQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let page = PageRequest::new(q.page, q.page_size)?;
    super::check_ids(&[("programme_id", q.programme_id), ("case_id", q.case_id)])?;
    let filter = SessionFilter {
        programme_id: q.programme_id,
        kind: q.kind.map(|k| k.as_str().to_owned()),
        case_id: q.case_id,
    };
    let (items, total) = state
        .read(move |conn| {
            let (rows, total) = store::list(conn, &filter, paging(&page))?;
            Ok((with_attendance(conn, rows)?, total))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page.wrap_capped(items, total)))
}

/// Read a clinic session.
#[utoipa::path(
    operation_id = "get_clinic_session",
    tag = "clinic",
    params(("id" = i64, Path, description = "The session's id.", minimum = 1)),
    responses(
        (status = 200, description = "The session.", body = Session,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/clinic-sessions/{id}")]
pub async fn get_session(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let record = state.read(move |conn| load(conn, id)).await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}

/// Change a clinic session.
///
/// Absent fields stay, `null` clears `notes`, lists replace their lists (e.g. to mark who came).
/// Send the `ETag` you read as `If-Match` (412 if it changed since).
#[utoipa::path(
    operation_id = "update_clinic_session",
    tag = "clinic",
    request_body = PatchSession,
    params(
        ("id" = i64, Path, description = "The session's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The changed session.", body = Session,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 412, response = responses::PreconditionFailed),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[patch("/clinic-sessions/{id}")]
pub async fn update_session(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
    body: JsonBody<PatchSession>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.value;
    let record = state
        .write(move |conn| {
            let row = store::find(conn, id).map_err(ApiError::missing("Clinic session"))?;
            let current = store::attendance_of(conn, &[id])?
                .pop()
                .map(|(_, a)| a)
                .unwrap_or_default();
            let (fields, attendance) = patch.merge(&row, current);
            dto::check(&fields, &attendance)?;
            if_match.check(row.version)?;
            check_references(conn, fields.programme_id, &attendance)?;
            let before = load(conn, id)?;
            store::update(conn, id, row.version, &fields)?;
            store::replace_attendance(conn, id, &attendance)?;
            let after = load(conn, id)?;
            audit.record(
                conn,
                "update",
                "clinic_session",
                Some(id.to_string()),
                Some(diff(Some(&before), Some(&after), &["notes"])),
            )?;
            Ok(after)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}
