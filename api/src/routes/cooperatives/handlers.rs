//! Create, list, read, change and archive cooperatives.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use klinik_domain::activity_status::ActivityStatus;
use klinik_domain::cooperative::{CooperativeForm, CooperativeType};
use klinik_persistence::cooperatives::{self as store, ListFilter, SortKey};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{Cooperative, CreateCooperative, PatchCooperative};
use super::{PERSONAL, duplicate, initial_status, load, with_boards};
use crate::audit::{AuditContext, diff};
use crate::extract::{IdempotencyKey, IfMatch, JsonBody, QueryParams, etag, query_error};
use crate::problem::{ApiError, responses};
use crate::routes::created::{Created, create_once};
use crate::routes::regions::KecamatanCode;
use crate::routes::{Page, PageRequest, with_etag};
use crate::state::AppState;

/// Register a cooperative.
///
/// Validates every field (each broken rule is listed in the 422), derives the kecamatan from the
/// kelurahan, and computes the activity status (no annual report yet: `tidak_aktif`). With an
/// `Idempotency-Key`, a retry with the same body returns the first response and creates nothing.
#[utoipa::path(
    operation_id = "create_cooperative",
    tag = "cooperatives",
    request_body = CreateCooperative,
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry: 1 to 255 visible ASCII characters, unique per request. A retry with the same key and the byte-identical body returns the first response (with `Idempotent-Replayed: true`); the same key with another body is a 422.", pattern = "^[!-~]{1,255}$"),
    ),
    responses(
        (status = 201, description = "Registered.", body = Cooperative,
            headers(("Location" = String, description = "URL of the new cooperative."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/cooperatives")]
pub async fn create_cooperative(
    state: web::Data<AppState>,
    request: HttpRequest,
    key: IdempotencyKey,
    audit: AuditContext,
    body: JsonBody<CreateCooperative>,
) -> Result<HttpResponse, ApiError> {
    let (fields, board) = body.value.into_fields(&state.regions)?;
    let scope = format!("POST {}", request.path());
    let state2 = state.clone();
    let (created, replayed) = state
        .write(move |conn| {
            create_once(conn, &scope, key.0.as_deref(), &body.raw, |conn| {
                let status = initial_status(state2.activity_rule);
                let row = store::insert(conn, &fields, &status).map_err(duplicate)?;
                store::replace_board(conn, row.id, &board)?;
                let record = load(conn, &state2.regions, row.id, false)?;
                audit.record(
                    conn,
                    "create",
                    "cooperative",
                    Some(record.id.to_string()),
                    Some(diff::<Cooperative, Cooperative>(
                        None,
                        Some(&record),
                        PERSONAL,
                    )),
                )?;
                Created::new(
                    &record,
                    format!("/api/v1/cooperatives/{}", record.id),
                    etag(record.version),
                )
            })
        })
        .await?;
    Ok(created.into_response(replayed))
}

/// Sort orders of the cooperative list; a leading `-` sorts descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub enum CooperativeSort {
    #[serde(rename = "name")]
    Name,
    #[serde(rename = "-name")]
    NameDesc,
    #[serde(rename = "registration_number")]
    RegistrationNumber,
    #[serde(rename = "-registration_number")]
    RegistrationNumberDesc,
    #[serde(rename = "created_at")]
    CreatedAt,
    #[serde(rename = "-created_at")]
    CreatedAtDesc,
    #[serde(rename = "updated_at")]
    UpdatedAt,
    #[serde(rename = "-updated_at")]
    UpdatedAtDesc,
}

impl CooperativeSort {
    fn key(self) -> (SortKey, bool) {
        match self {
            CooperativeSort::Name => (SortKey::Name, false),
            CooperativeSort::NameDesc => (SortKey::Name, true),
            CooperativeSort::RegistrationNumber => (SortKey::RegistrationNumber, false),
            CooperativeSort::RegistrationNumberDesc => (SortKey::RegistrationNumber, true),
            CooperativeSort::CreatedAt => (SortKey::CreatedAt, false),
            CooperativeSort::CreatedAtDesc => (SortKey::CreatedAt, true),
            CooperativeSort::UpdatedAt => (SortKey::UpdatedAt, false),
            CooperativeSort::UpdatedAtDesc => (SortKey::UpdatedAt, true),
        }
    }
}

/// Filters of the cooperative list; they combine with AND. Unknown parameters are a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CooperativeQuery {
    /// Only cooperatives in this kecamatan.
    pub kecamatan_code: Option<KecamatanCode>,
    /// Only cooperatives in this kelurahan.
    #[param(value_type = Option<crate::region_codes::KelurahanCode>)]
    pub kelurahan_code: Option<String>,
    /// Only this type (jenis).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub cooperative_type: Option<CooperativeType>,
    /// Only this form (bentuk).
    pub form: Option<CooperativeForm>,
    /// Only this activity status (the one in force).
    pub status: Option<ActivityStatus>,
    /// Only those that run (or do not run) a savings-and-loan business.
    pub savings_and_loan: Option<bool>,
    /// Part of the name or registration number, case-insensitive; `%` and `_` match themselves.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Include archived cooperatives.
    pub include_archived: Option<bool>,
    /// Order: `name` (default), `registration_number`, `created_at`, `updated_at`; prefix `-` for descending.
    pub sort: Option<CooperativeSort>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// List cooperatives.
///
/// Filters, sorting and pagination as documented on each parameter; archived records appear only
/// with `include_archived=true`.
#[utoipa::path(
    operation_id = "list_cooperatives",
    tag = "cooperatives",
    params(CooperativeQuery),
    responses(
        (status = 200, description = "One page of cooperatives.", body = Page<Cooperative>),
        (status = 400, response = responses::BadRequest),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/cooperatives")]
pub async fn list_cooperatives(
    state: web::Data<AppState>,
    query: QueryParams<CooperativeQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let page = PageRequest::new(query.page, query.page_size)?;
    let (sort, descending) = query.sort.unwrap_or(CooperativeSort::Name).key();
    let filter = ListFilter {
        sort,
        descending,
        limit: page.limit(),
        offset: page.offset(),
        ..cooperative_filter(
            &state,
            CooperativeFilters {
                kecamatan_code: query.kecamatan_code,
                kelurahan_code: query.kelurahan_code,
                cooperative_type: query.cooperative_type,
                form: query.form,
                status: query.status,
                savings_and_loan: query.savings_and_loan,
                q: query.q,
                include_archived: query.include_archived,
            },
        )?
    };
    let state2 = state.clone();
    let (items, total) = state
        .read(move |conn| {
            let (rows, total) = store::list(conn, &filter)?;
            Ok((with_boards(conn, &state2.regions, rows)?, total))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page.wrap_capped(items, total)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IncludeArchivedQuery {
    /// Also find the record when it is archived.
    pub include_archived: Option<bool>,
}

/// Read a cooperative.
///
/// With its board, its derived kecamatan and its activity status; the `ETag` is its version.
/// An archived cooperative is a 404 unless `include_archived=true`.
#[utoipa::path(
    operation_id = "get_cooperative",
    tag = "cooperatives",
    params(("id" = i64, Path, description = "The cooperative's id.", minimum = 1), IncludeArchivedQuery),
    responses(
        (status = 200, description = "The cooperative.", body = Cooperative,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/cooperatives/{id}")]
pub async fn get_cooperative(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: QueryParams<IncludeArchivedQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let include_archived = query.0.include_archived.unwrap_or(false);
    let state2 = state.clone();
    let record = state
        .write(move |conn| load(conn, &state2.regions, id, include_archived))
        .await?;
    Ok(with_etag(
        actix_web::http::StatusCode::OK,
        record.version,
        &record,
    ))
}

/// Change a cooperative.
///
/// Partial update: absent fields stay, `null` clears an optional field, `board_members` replaces
/// the board. The result must satisfy every rule as a whole. Send the `ETag` you read as
/// `If-Match` to be sure nobody changed the record in between (412 otherwise).
#[utoipa::path(
    operation_id = "update_cooperative",
    tag = "cooperatives",
    request_body = PatchCooperative,
    params(
        ("id" = i64, Path, description = "The cooperative's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; the change is refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The changed cooperative.", body = Cooperative,
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
#[patch("/cooperatives/{id}")]
pub async fn update_cooperative(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
    body: JsonBody<PatchCooperative>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.value;
    let state2 = state.clone();
    let record = state
        .write(move |conn| {
            let current = store::find(conn, id, false).map_err(ApiError::missing("Cooperative"))?;
            let (changes, board) = patch.into_changes(&current, &state2.regions)?;
            if_match.check(current.version)?;
            let before = load(conn, &state2.regions, id, false)?;
            store::update(conn, id, current.version, &changes).map_err(duplicate)?;
            if let Some(board) = board {
                store::replace_board(conn, id, &board)?;
            }
            let after = load(conn, &state2.regions, id, false)?;
            audit.record(
                conn,
                "update",
                "cooperative",
                Some(id.to_string()),
                Some(diff(Some(&before), Some(&after), PERSONAL)),
            )?;
            Ok(after)
        })
        .await?;
    Ok(with_etag(
        actix_web::http::StatusCode::OK,
        record.version,
        &record,
    ))
}

/// Archive a cooperative.
///
/// The record is kept (the office must keep it) but disappears from lists and reads unless
/// `include_archived=true` is given. Archiving twice is a 404.
#[utoipa::path(
    operation_id = "archive_cooperative",
    tag = "cooperatives",
    params(
        ("id" = i64, Path, description = "The cooperative's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 204, description = "Archived."),
        (status = 404, response = responses::NotFound),
        (status = 412, response = responses::PreconditionFailed),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[delete("/cooperatives/{id}")]
pub async fn archive_cooperative(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .write(move |conn| {
            let current = store::find(conn, id, false).map_err(ApiError::missing("Cooperative"))?;
            if_match.check(current.version)?;
            store::archive(conn, id, current.version)?;
            audit.record(conn, "archive", "cooperative", Some(id.to_string()), None)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The filters the cooperative list and the cooperative export share.
pub struct CooperativeFilters {
    pub kecamatan_code: Option<KecamatanCode>,
    pub kelurahan_code: Option<String>,
    pub cooperative_type: Option<CooperativeType>,
    pub form: Option<CooperativeForm>,
    pub status: Option<ActivityStatus>,
    pub savings_and_loan: Option<bool>,
    pub q: Option<String>,
    pub include_archived: Option<bool>,
}

/// Checks the filters (400 for a bad value) and turns them into the store's filter, by name,
/// without paging.
pub fn cooperative_filter(state: &AppState, f: CooperativeFilters) -> Result<ListFilter, ApiError> {
    if f.kelurahan_code
        .as_ref()
        .is_some_and(|code| state.regions.kelurahan(code).is_none())
    {
        return Err(query_error(
            "kelurahan_code",
            "unknown_kelurahan",
            "is not a kelurahan of Kota Bogor",
        ));
    }
    if f.q
        .as_ref()
        .is_some_and(|q| q.is_empty() || q.chars().count() > 200)
    {
        return Err(query_error(
            "q",
            "invalid_length",
            "must be 1 to 200 characters",
        ));
    }
    Ok(ListFilter {
        kecamatan_code: f.kecamatan_code.map(|k| k.as_str().to_owned()),
        kelurahan_code: f.kelurahan_code,
        cooperative_type: f.cooperative_type.map(|t| t.as_str().to_owned()),
        form: f.form.map(|f| f.as_str().to_owned()),
        status: f.status.map(|s| s.as_str().to_owned()),
        savings_and_loan: f.savings_and_loan,
        q: f.q,
        include_archived: f.include_archived.unwrap_or(false),
        ..ListFilter::default()
    })
}
