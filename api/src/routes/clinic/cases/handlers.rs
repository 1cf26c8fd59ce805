//! Register, list, read and change cases; read their history.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::Utc;
use klinik_domain::clinic::case::CaseStatus;
use klinik_domain::clinic::outcome::Outcome;
use klinik_domain::clinic::{ReferralSource, SubjectKind};
use klinik_persistence::clinic::cases::{self as store, CaseFilter, CaseMemberRow, NewCase};
use klinik_persistence::clinic::{experts, programmes};
use klinik_persistence::{AnyConnection, StoreError, Total};
use serde::Deserialize;
use utoipa::IntoParams;

use super::access::{CaseScope, visible_case};
use super::dto::{Case, CreateCase, PatchCase, TeamMemberInput, Transition, check_members};
use super::{details, load};
use crate::audit::{AuditContext, diff};
use crate::auth::Caller;
use crate::extract::{IdempotencyKey, IfMatch, JsonBody, QueryParams, etag, query_error};
use crate::problem::{ApiError, responses};
use crate::routes::clinic::paging;
use crate::routes::created::{Created, create_once};
use crate::routes::regions::KecamatanCode;
use crate::routes::{Page, PageRequest, with_etag};
use crate::state::AppState;

/// New member rows of a case: the team's and the mentors', each only when the request sets it.
type MemberRows = (Option<Vec<CaseMemberRow>>, Option<Vec<CaseMemberRow>>);

/// The team and mentors as rows, after checking that every expert is active (422 otherwise).
fn member_rows(
    conn: &mut AnyConnection,
    case_id: i64,
    team: Option<&[TeamMemberInput]>,
    mentors: Option<&[i64]>,
) -> Result<MemberRows, ApiError> {
    let mut wanted: Vec<i64> = team
        .unwrap_or_default()
        .iter()
        .map(|m| m.expert_id)
        .collect();
    wanted.extend(mentors.unwrap_or_default());
    let active = experts::active_ids(conn, &wanted)?;
    if let Some((i, _)) = team
        .unwrap_or_default()
        .iter()
        .enumerate()
        .find(|(_, m)| !active.contains(&m.expert_id))
    {
        return Err(ApiError::validation(
            &format!("team[{i}].expert_id"),
            "unknown_expert",
            "is not an active expert",
        ));
    }
    if let Some(i) = mentors
        .unwrap_or_default()
        .iter()
        .position(|id| !active.contains(id))
    {
        return Err(ApiError::validation(
            &format!("mentor_ids[{i}]"),
            "unknown_expert",
            "is not an active expert",
        ));
    }
    let row = |expert_id: i64, duty: &str, is_lead: bool| CaseMemberRow {
        case_id,
        expert_id,
        duty: duty.into(),
        is_lead,
    };
    Ok((
        team.map(|t| t.iter().map(|m| row(m.expert_id, "team", m.lead)).collect()),
        mentors.map(|ms| ms.iter().map(|id| row(*id, "mentor", false)).collect()),
    ))
}

/// The subject must exist and not be archived (422 otherwise).
fn check_subject(conn: &mut AnyConnection, kind: SubjectKind, id: i64) -> Result<(), ApiError> {
    let found = match kind {
        SubjectKind::Cooperative => store::cooperative_subjects(conn, &[id])?,
        SubjectKind::Ukm => store::ukm_subjects(conn, &[id])?,
    };
    if found.first().is_none_or(|s| s.archived) {
        return Err(ApiError::validation(
            "subject_id",
            "unknown_subject",
            &format!("is not a {kind} in the registry (or it is archived)"),
        ));
    }
    Ok(())
}

fn open_case_exists(error: StoreError) -> ApiError {
    if error.duplicate_of("cooperative") || error.duplicate_of("ukm") {
        ApiError::conflict(
            "subject_id",
            "open_case_exists",
            "This subject already has an open case in this programme.",
        )
    } else {
        error.into()
    }
}

/// Register a case.
///
/// A cooperative or UKM enters a programme's clinic as `registered`. One open case per subject
/// per programme (409 otherwise); the subject and the programme must exist, the experts be active.
#[utoipa::path(
    operation_id = "create_case",
    tag = "clinic",
    request_body = CreateCase,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see `create_cooperative`).", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Registered.", body = Case,
            headers(("Location" = String, description = "URL of the new case."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/cases")]
pub async fn create_case(
    state: web::Data<AppState>,
    request: HttpRequest,
    key: IdempotencyKey,
    audit: AuditContext,
    body: JsonBody<CreateCase>,
) -> Result<HttpResponse, ApiError> {
    let JsonBody { value, raw } = body;
    check_members(value.team.as_deref(), value.mentor_ids.as_deref())?;
    let today = Utc::now().date_naive();
    let registered_on = value.registered_on.unwrap_or(today);
    if registered_on > today {
        return Err(ApiError::validation(
            "registered_on",
            "date_in_future",
            "must not be after today",
        ));
    }
    let scope = format!("POST {}", request.path());
    let state2 = state.clone();
    let (created, replayed) = state
        .write(move |conn| {
            create_once(conn, &scope, key.0.as_deref(), &raw, |conn| {
                programmes::find(conn, value.programme_id, false).map_err(|e| match e {
                    StoreError::NotFound => ApiError::validation(
                        "programme_id",
                        "unknown_programme",
                        "is not a programme (or it is archived)",
                    ),
                    other => other.into(),
                })?;
                check_subject(conn, value.subject_kind, value.subject_id)?;
                let is_cooperative = value.subject_kind == SubjectKind::Cooperative;
                let row = store::insert(
                    conn,
                    &NewCase {
                        programme_id: value.programme_id,
                        subject_kind: value.subject_kind.as_str().into(),
                        cooperative_id: is_cooperative.then_some(value.subject_id),
                        ukm_id: (!is_cooperative).then_some(value.subject_id),
                        referral_source: value.referral_source.as_str().into(),
                        status: CaseStatus::Registered.as_str().into(),
                        registered_on,
                    },
                )
                .map_err(open_case_exists)?;
                let (team, mentors) = member_rows(
                    conn,
                    row.id,
                    value.team.as_deref(),
                    value.mentor_ids.as_deref(),
                )?;
                store::replace_members(conn, row.id, "team", &team.unwrap_or_default())?;
                store::replace_members(conn, row.id, "mentor", &mentors.unwrap_or_default())?;
                let record = load(conn, &state2.regions, row)?;
                audit.record(
                    conn,
                    "create",
                    "case",
                    Some(record.id.to_string()),
                    Some(diff::<Case, Case>(None, Some(&record), &[])),
                )?;
                Created::new(
                    &record,
                    format!("/api/v1/cases/{}", record.id),
                    etag(record.version),
                )
            })
        })
        .await?;
    Ok(created.into_response(replayed))
}

/// Filters of the case list; they combine with AND. Unknown parameters are a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Only cases of this programme.
    #[param(minimum = 1)]
    pub programme_id: Option<i64>,
    /// Only cooperatives or only UKM.
    pub subject_kind: Option<SubjectKind>,
    /// Only cases in this status.
    pub status: Option<CaseStatus>,
    /// Only subjects (now) in this kecamatan.
    pub kecamatan_code: Option<KecamatanCode>,
    /// Only cases with this expert on the team or among the mentors.
    #[param(minimum = 1)]
    pub expert_id: Option<i64>,
    /// Only cases registered in this year.
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// Only cases whose first final diagnosis is dated in this year (the indicators' "helped").
    #[param(minimum = 2000, maximum = 2100)]
    pub final_diagnosis_year: Option<i32>,
    /// Only closed cases with this outcome.
    pub outcome: Option<Outcome>,
    /// Only cases closed in this year (by the day the closing took effect).
    #[param(minimum = 2000, maximum = 2100)]
    pub closed_year: Option<i32>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// List cases, newest registration first.
///
/// An assessor sees only the cases whose diagnosis team includes them.
#[utoipa::path(
    operation_id = "list_cases",
    tag = "clinic",
    params(CaseQuery),
    responses(
        (status = 200, description = "One page of cases.", body = Page<Case>),
        (status = 400, response = responses::BadRequest),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/cases")]
pub async fn list_cases(
    state: web::Data<AppState>,
    caller: Caller,
    query: QueryParams<CaseQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let page = PageRequest::new(q.page, q.page_size)?;
    crate::routes::clinic::check_ids(&[
        ("programme_id", q.programme_id),
        ("expert_id", q.expert_id),
    ])?;
    for (name, year) in [
        ("year", q.year),
        ("final_diagnosis_year", q.final_diagnosis_year),
        ("closed_year", q.closed_year),
    ] {
        if year.is_some_and(|y| !(2000..=2100).contains(&y)) {
            return Err(query_error(name, "year_range", "must lie within 2000–2100"));
        }
    }
    let kelurahan_codes = q.kecamatan_code.map(|k| {
        state
            .regions
            .kelurahan
            .iter()
            .filter(|l| l.kecamatan_code == k.as_str())
            .map(|l| l.code.clone())
            .collect()
    });
    let state2 = state.clone();
    let (items, total): (Vec<Case>, Total) = state
        .read(move |conn| {
            let scope = CaseScope::of(conn, &caller)?;
            let filter = CaseFilter {
                programme_id: q.programme_id,
                subject_kind: q.subject_kind.map(|k| k.as_str().to_owned()),
                status: q.status.map(|s| s.as_str().to_owned()),
                kelurahan_codes,
                member_expert_id: q.expert_id,
                team_of: scope.team_filter(),
                year: q.year,
                final_diagnosis_year: q.final_diagnosis_year,
                outcome: q.outcome.map(|o| o.as_str().to_owned()),
                closed_year: q.closed_year,
            };
            let (rows, total) = store::list(conn, &filter, paging(&page))?;
            Ok((details(conn, &state2.regions, rows)?, total))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page.wrap_capped(items, total)))
}

/// Read a case.
///
/// With its subject, team, mentors, baseline and latest assessments and the actions its status
/// allows. An assessor reads only cases on whose team they are (404 otherwise).
#[utoipa::path(
    operation_id = "get_case",
    tag = "clinic",
    params(("id" = i64, Path, description = "The case's id.", minimum = 1)),
    responses(
        (status = 200, description = "The case.", body = Case,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/cases/{id}")]
pub async fn get_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let state2 = state.clone();
    let record = state
        .read(move |conn| {
            let scope = CaseScope::of(conn, &caller)?;
            let row = visible_case(conn, &scope, id)?;
            load(conn, &state2.regions, row)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}

/// Change a case's team, mentors or referral source.
///
/// Only while the case is open (409 once it is closed, rejected, withdrawn or proposed for
/// dissolution). `team` and `mentor_ids` replace their lists. Send the `ETag` you read as
/// `If-Match` (412 if it changed since).
#[utoipa::path(
    operation_id = "update_case",
    tag = "clinic",
    request_body = PatchCase,
    params(
        ("id" = i64, Path, description = "The case's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The changed case.", body = Case,
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
#[patch("/cases/{id}")]
pub async fn update_case(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
    body: JsonBody<PatchCase>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.value;
    check_members(patch.team.as_deref(), patch.mentor_ids.as_deref())?;
    let state2 = state.clone();
    let record = state
        .write(move |conn| {
            let current = store::find(conn, id).map_err(ApiError::missing("Case"))?;
            let status: CaseStatus = current
                .status
                .parse()
                .map_err(|_| ApiError::internal(&"stored case status"))?;
            if status.is_terminal() {
                return Err(ApiError::conflict(
                    "status",
                    "case_closed",
                    "The case is no longer open; its team and details stay as they were.",
                ));
            }
            if_match.check(current.version)?;
            let (team, mentors) =
                member_rows(conn, id, patch.team.as_deref(), patch.mentor_ids.as_deref())?;
            let before = load(conn, &state2.regions, current.clone())?;
            let referral = patch
                .referral_source
                .map_or(current.referral_source.clone(), |r: ReferralSource| {
                    r.as_str().to_owned()
                });
            store::set_referral_source(conn, id, current.version, &referral)?;
            if let Some(team) = team {
                store::replace_members(conn, id, "team", &team)?;
            }
            if let Some(mentors) = mentors {
                store::replace_members(conn, id, "mentor", &mentors)?;
            }
            let row = store::find(conn, id)?;
            let after = load(conn, &state2.regions, row)?;
            audit.record(
                conn,
                "update",
                "case",
                Some(id.to_string()),
                Some(diff(Some(&before), Some(&after), &[])),
            )?;
            Ok(after)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}

/// Page parameters of a case's history.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// Read a case's history.
///
/// Every transition, oldest first, with the action, the statuses before and after, who made it,
/// when, and the note.
#[utoipa::path(
    operation_id = "get_case_history",
    tag = "clinic",
    params(("id" = i64, Path, description = "The case's id.", minimum = 1), HistoryQuery),
    responses(
        (status = 200, description = "One page of the case's transitions.", body = Page<Transition>),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/cases/{id}/history")]
pub async fn get_case_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    query: QueryParams<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let page = PageRequest::new(query.0.page, query.0.page_size)?;
    let rows = state
        .read(move |conn| {
            let scope = CaseScope::of(conn, &caller)?;
            visible_case(conn, &scope, id)?;
            Ok(store::transitions_of(conn, id)?)
        })
        .await?;
    let (rows, total) = page.slice(rows);
    let items = rows
        .into_iter()
        .map(Transition::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(page.wrap_capped(items, total)))
}
