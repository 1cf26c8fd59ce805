//! Register, list, read, change and archive UKM.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{Datelike, Utc};
use klinik_domain::accounts::Role;
use klinik_domain::size_class::{SizeClass, classify, in_force};
use klinik_persistence::persons::{self, PersonFields};
use klinik_persistence::ukm::{self as store, ListFilter, SortKey, UkmFields};
use klinik_persistence::{AnyConnection, StoreError, cooperatives};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{
    CreateUkm, Disclosure, PatchUkm, Sector, Ukm, UkmStatus, check_business, check_owner,
    owner_view, text_of, ukm_view,
};
use crate::audit::{AuditContext, diff};
use crate::auth::Caller;
use crate::extract::{IdempotencyKey, IfMatch, JsonBody, QueryParams, etag, query_error};
use crate::problem::{ApiError, responses};
use crate::routes::created::{Created, create_once};
use crate::routes::regions::KecamatanCode;
use crate::routes::{Page, PageRequest, with_etag};
use crate::state::AppState;

/// Fields of a UKM that are personal data: the audit trail shows only that they changed.
const PERSONAL: &[&str] = &["owner"];

fn not_found(error: StoreError) -> ApiError {
    match error {
        StoreError::NotFound => ApiError::not_found("UKM"),
        other => other.into(),
    }
}

fn duplicate(error: StoreError) -> ApiError {
    if error.duplicate_of("nib") {
        ApiError::conflict("nib", "duplicate_nib", "Another UKM already has this NIB.")
    } else if error.duplicate_of("nik_hash") {
        ApiError::conflict(
            "owner.nik",
            "duplicate_nik",
            "This NIK belongs to another person.",
        )
    } else {
        error.into()
    }
}

/// Admin and officer handle personal data; everyone else sees it minimised.
fn handles_personal_data(caller: &Caller) -> bool {
    matches!(caller.role(), Role::Admin | Role::Officer)
}

/// Computes size class, basis and regulation from the figures and their date.
fn apply_size(state: &AppState, fields: &mut UkmFields) {
    let date = fields
        .figures_date
        .unwrap_or_else(|| Utc::now().date_naive());
    let sized = in_force(&state.size_thresholds, date).and_then(|t| {
        classify(t, fields.business_capital, fields.annual_sales).map(|c| (c, t.regulation.clone()))
    });
    fields.size_class = sized
        .as_ref()
        .map(|((class, _), _)| class.as_str().to_owned());
    fields.size_basis = sized
        .as_ref()
        .map(|((_, basis), _)| basis.as_str().to_owned());
    fields.size_regulation = sized.map(|(_, regulation)| regulation);
}

fn check_cooperative(conn: &mut AnyConnection, id: Option<i64>) -> Result<(), ApiError> {
    if let Some(id) = id
        && let Err(StoreError::NotFound) = cooperatives::find(conn, id, false)
    {
        return Err(ApiError::validation(
            "cooperative_id",
            "unknown_cooperative",
            "is not a registered cooperative",
        ));
    }
    Ok(())
}

fn check_kelurahan(state: &AppState, code: &str) -> Result<(), ApiError> {
    if state.regions.kelurahan(code).is_none() {
        return Err(ApiError::validation(
            "kelurahan_code",
            "unknown_kelurahan",
            "is not a kelurahan of Kota Bogor",
        ));
    }
    Ok(())
}

/// Reads one UKM with its owner, disclosed as `disclosure` allows.
fn load(
    conn: &mut AnyConnection,
    state: &AppState,
    id: i64,
    include_archived: bool,
    disclosure: Disclosure,
) -> Result<Ukm, ApiError> {
    let row = store::find(conn, id, include_archived).map_err(not_found)?;
    let person = persons::find(conn, row.owner_id)?;
    let owner = owner_view(&person, &state.data_key, disclosure)?;
    Ok(ukm_view(row, owner, &state.regions))
}

/// Register a UKM.
///
/// The owner is a person: a NIK that is already registered links the UKM to that person (one person
/// may own several UKM). The size class is computed from annual sales (or, without them, capital)
/// under the regulation in force on `figures_date`. NIK and phone are stored protected and shown
/// masked. With an `Idempotency-Key`, a retry returns the first response.
#[utoipa::path(
    operation_id = "create_ukm",
    tag = "ukm",
    request_body = CreateUkm,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see create_cooperative).", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Registered.", body = Ukm,
            headers(("Location" = String, description = "URL of the UKM."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/ukm")]
pub async fn create_ukm(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: Caller,
    key: IdempotencyKey,
    audit: AuditContext,
    body: JsonBody<CreateUkm>,
) -> Result<HttpResponse, ApiError> {
    let input = body.value;
    let mut fields = UkmFields {
        business_name: input.business_name,
        owner_id: 0,
        nib: input.nib,
        kbli_code: input.kbli_code,
        kbli_version: input.kbli_version.map(|v| text_of(&v)),
        sector: text_of(&input.sector),
        business_capital: input.business_capital,
        annual_sales: input.annual_sales,
        figures_date: input.figures_date,
        size_class: None,
        size_basis: None,
        size_regulation: None,
        workers: input.workers,
        start_year: input.start_year,
        has_pirt: input.has_pirt.unwrap_or(false),
        has_halal: input.has_halal.unwrap_or(false),
        has_standard_certificate: input.has_standard_certificate.unwrap_or(false),
        npwp: input.npwp,
        street: input.street,
        kelurahan_code: input.kelurahan_code,
        cooperative_id: input.cooperative_id,
        status: text_of(&input.status.unwrap_or(UkmStatus::Aktif)),
    };
    let mut violations = check_owner(&input.owner);
    violations
        .0
        .extend(check_business(&fields, Utc::now().year()).0);
    violations.into_result()?;
    check_kelurahan(&state, &fields.kelurahan_code)?;
    apply_size(&state, &mut fields);
    let owner = input.owner;
    let nik_hash = owner.nik.as_deref().map(|n| state.data_key.search_hash(n));
    let nik_encrypted = owner
        .nik
        .as_deref()
        .map(|n| state.data_key.encrypt(n))
        .transpose()?;
    let disclosure = if handles_personal_data(&caller) {
        Disclosure::Staff
    } else {
        Disclosure::Minimal
    };
    let scope = format!("POST {}", request.path());
    let state2 = state.clone();
    let (created, replayed) = state
        .write(move |conn| {
            create_once(conn, &scope, key.0.as_deref(), &body.raw, |conn| {
                check_cooperative(conn, fields.cooperative_id)?;
                let existing = match &nik_hash {
                    Some(hash) => persons::find_by_nik_hash(conn, hash)?,
                    None => None,
                };
                let person = match existing {
                    Some(person) => person,
                    None => persons::insert(
                        conn,
                        &PersonFields {
                            full_name: owner.full_name.clone(),
                            nik_encrypted,
                            nik_hash,
                            sex: owner.sex.map(|s| text_of(&s)),
                            birth_date: owner.birth_date,
                            phone: owner.phone.clone(),
                            home_address: owner.home_address.clone(),
                        },
                    )
                    .map_err(duplicate)?,
                };
                fields.owner_id = person.id;
                let row = store::insert(conn, &fields).map_err(duplicate)?;
                let record = load(conn, &state2, row.id, false, disclosure)?;
                audit.record(
                    conn,
                    "create",
                    "ukm",
                    Some(record.id.to_string()),
                    Some(diff::<Ukm, Ukm>(None, Some(&record), PERSONAL)),
                )?;
                Created::new(
                    &record,
                    format!("/api/v1/ukm/{}", record.id),
                    etag(record.version),
                )
            })
        })
        .await?;
    Ok(created.into_response(replayed))
}

/// Sort orders of the UKM list; a leading `-` sorts descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub enum UkmSort {
    #[serde(rename = "business_name")]
    BusinessName,
    #[serde(rename = "-business_name")]
    BusinessNameDesc,
    #[serde(rename = "created_at")]
    CreatedAt,
    #[serde(rename = "-created_at")]
    CreatedAtDesc,
    #[serde(rename = "updated_at")]
    UpdatedAt,
    #[serde(rename = "-updated_at")]
    UpdatedAtDesc,
}

/// Filters of the UKM list; they combine with AND. Unknown parameters are a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UkmQuery {
    /// Only UKM in this kecamatan.
    pub kecamatan_code: Option<KecamatanCode>,
    /// Only UKM in this kelurahan.
    #[param(value_type = Option<crate::region_codes::KelurahanCode>)]
    pub kelurahan_code: Option<String>,
    /// Only this sector.
    pub sector: Option<Sector>,
    /// Only this size class (as computed).
    #[param(value_type = Option<klinik_domain::size_class::SizeClass>)]
    pub size_class: Option<SizeClass>,
    /// Only this status.
    pub status: Option<UkmStatus>,
    /// Only those with (or without) a NIB.
    pub has_nib: Option<bool>,
    /// Only this KBLI code (5 digits).
    #[param(pattern = "^[0-9]{5}$")]
    pub kbli_code: Option<String>,
    /// Only members of this cooperative.
    #[param(minimum = 1)]
    pub cooperative_id: Option<i64>,
    /// Part of the business name (case-insensitive), or an exact NIB.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// The owner's NIK, exact match; admin and officer only (403 for others).
    #[param(
        pattern = r"^(1[1-9]|21|3[1-6]|5[1-3]|6[1-5]|7[1-6]|8[12]|9[1-6])[0-9]{4}(0[1-9]|[12][0-9]|3[01]|4[1-9]|[56][0-9]|7[01])(0[1-9]|1[0-2])[0-9]{2}([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})$"
    )]
    pub nik: Option<String>,
    /// Include archived UKM.
    pub include_archived: Option<bool>,
    /// Order: `business_name` (default), `created_at`, `updated_at`; prefix `-` for descending.
    pub sort: Option<UkmSort>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// List UKM.
///
/// Filters, sorting and pagination as documented on each parameter. Owners' NIK and phone are
/// masked; searching by `nik` is for admin and officer only.
#[utoipa::path(
    operation_id = "list_ukm",
    tag = "ukm",
    params(UkmQuery),
    responses(
        (status = 200, description = "One page of UKM.", body = Page<Ukm>),
        (status = 400, response = responses::BadRequest),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/ukm")]
pub async fn list_ukm(
    state: web::Data<AppState>,
    caller: Caller,
    query: QueryParams<UkmQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let page = PageRequest::new(q.page, q.page_size)?;
    if q.kelurahan_code
        .as_ref()
        .is_some_and(|c| state.regions.kelurahan(c).is_none())
    {
        return Err(query_error(
            "kelurahan_code",
            "unknown_kelurahan",
            "is not a kelurahan of Kota Bogor",
        ));
    }
    if q.kbli_code
        .as_ref()
        .is_some_and(|k| k.len() != 5 || !k.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(query_error(
            "kbli_code",
            "kbli_format",
            "must be exactly 5 digits",
        ));
    }
    if q.cooperative_id.is_some_and(|id| id < 1) {
        return Err(query_error(
            "cooperative_id",
            "out_of_range",
            "must be at least 1",
        ));
    }
    if q.q
        .as_ref()
        .is_some_and(|t| t.is_empty() || t.chars().count() > 200)
    {
        return Err(query_error(
            "q",
            "invalid_length",
            "must be 1 to 200 characters",
        ));
    }
    if let Some(n) = &q.nik {
        if !handles_personal_data(&caller) {
            return Err(ApiError::Forbidden {
                detail: "Only admins and officers may search by NIK.".into(),
            });
        }
        klinik_domain::nik::validate("nik", n)
            .map_err(|v| query_error("nik", v.code, &v.message))?;
    }
    let (sort, descending) = match q.sort.unwrap_or(UkmSort::BusinessName) {
        UkmSort::BusinessName => (SortKey::BusinessName, false),
        UkmSort::BusinessNameDesc => (SortKey::BusinessName, true),
        UkmSort::CreatedAt => (SortKey::CreatedAt, false),
        UkmSort::CreatedAtDesc => (SortKey::CreatedAt, true),
        UkmSort::UpdatedAt => (SortKey::UpdatedAt, false),
        UkmSort::UpdatedAtDesc => (SortKey::UpdatedAt, true),
    };
    let filter = ListFilter {
        kecamatan_code: q.kecamatan_code.map(|k| k.as_str().to_owned()),
        kelurahan_code: q.kelurahan_code,
        sector: q.sector.map(|s| text_of(&s)),
        size_class: q.size_class.map(|s| s.as_str().to_owned()),
        status: q.status.map(|s| text_of(&s)),
        has_nib: q.has_nib,
        kbli_code: q.kbli_code,
        cooperative_id: q.cooperative_id,
        q: q.q,
        nik_hash: q.nik.as_deref().map(|n| state.data_key.search_hash(n)),
        include_archived: q.include_archived.unwrap_or(false),
        sort,
        descending,
        limit: page.limit(),
        offset: page.offset(),
    };
    let disclosure = if handles_personal_data(&caller) {
        Disclosure::Staff
    } else {
        Disclosure::Minimal
    };
    let state2 = state.clone();
    let (items, total) = state
        .read(move |conn| {
            let (rows, total) = store::list(conn, &filter)?;
            let owner_ids: Vec<i64> = rows.iter().map(|r| r.owner_id).collect();
            let owners: HashMap<i64, _> = persons::find_many(conn, &owner_ids)?
                .into_iter()
                .map(|p| (p.id, p))
                .collect();
            let mut items = Vec::with_capacity(rows.len());
            for row in rows {
                let person = owners.get(&row.owner_id).ok_or(ApiError::Internal)?;
                let owner = owner_view(person, &state2.data_key, disclosure)?;
                items.push(ukm_view(row, owner, &state2.regions));
            }
            Ok((items, total))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page.wrap(items, total)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UkmReadQuery {
    /// Also find the UKM when it is archived.
    pub include_archived: Option<bool>,
    /// `nik`: show the owner's NIK and phone in clear. Admin and officer only (403 for others);
    /// every such read is written to the audit trail.
    #[param(value_type = Option<Reveal>)]
    pub reveal: Option<String>,
}

/// What `reveal` may ask for.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub enum Reveal {
    #[schema(rename = "nik")]
    Nik,
}

/// Read a UKM.
///
/// The owner's NIK and phone are masked unless an admin or officer asks `reveal=nik`, which is
/// audited.
#[utoipa::path(
    operation_id = "get_ukm",
    tag = "ukm",
    params(("id" = i64, Path, description = "The UKM's id.", minimum = 1), UkmReadQuery),
    responses(
        (status = 200, description = "The UKM.", body = Ukm, headers(("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/ukm/{id}")]
pub async fn get_ukm(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    caller: Caller,
    audit: AuditContext,
    query: QueryParams<UkmReadQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let q = query.0;
    let reveal = match q.reveal.as_deref() {
        None => false,
        Some("nik") => true,
        Some(_) => {
            return Err(query_error(
                "reveal",
                "invalid_enum_value",
                "is not one of the allowed values",
            ));
        }
    };
    if reveal && !handles_personal_data(&caller) {
        return Err(ApiError::Forbidden {
            detail: "Only admins and officers may see a NIK in clear.".into(),
        });
    }
    let disclosure = match (reveal, handles_personal_data(&caller)) {
        (true, _) => Disclosure::Revealed,
        (false, true) => Disclosure::Staff,
        (false, false) => Disclosure::Minimal,
    };
    let include_archived = q.include_archived.unwrap_or(false);
    let state2 = state.clone();
    let record = if reveal {
        state
            .write(move |conn| {
                let record = load(conn, &state2, id, include_archived, disclosure)?;
                audit.record(
                    conn,
                    "reveal_nik",
                    "person",
                    Some(record.owner.id.to_string()),
                    Some(serde_json::json!({"ukm_id": id})),
                )?;
                Ok(record)
            })
            .await?
    } else {
        state
            .read(move |conn| load(conn, &state2, id, include_archived, disclosure))
            .await?
    };
    let mut response = with_etag(StatusCode::OK, record.version, &record);
    if reveal {
        response.headers_mut().insert(
            actix_web::http::header::CACHE_CONTROL,
            actix_web::http::header::HeaderValue::from_static("no-store"),
        );
    }
    Ok(response)
}

/// Change a UKM.
///
/// Partial update of the business fields (the owner stays); the size class is recomputed. Send the
/// `ETag` as `If-Match` to avoid overwriting someone else's change (412).
#[utoipa::path(
    operation_id = "update_ukm",
    tag = "ukm",
    request_body = PatchUkm,
    params(
        ("id" = i64, Path, description = "The UKM's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the UKM has changed since."),
    ),
    responses(
        (status = 200, description = "The changed UKM.", body = Ukm, headers(("ETag" = String, description = "Its new version."))),
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
#[patch("/ukm/{id}")]
pub async fn update_ukm(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    caller: Caller,
    if_match: IfMatch,
    audit: AuditContext,
    body: JsonBody<PatchUkm>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let p = body.value;
    let disclosure = if handles_personal_data(&caller) {
        Disclosure::Staff
    } else {
        Disclosure::Minimal
    };
    let state2 = state.clone();
    let record = state
        .write(move |conn| {
            let current = store::find(conn, id, false).map_err(not_found)?;
            let mut f = UkmFields::from(&current);
            if let Some(v) = p.business_name {
                f.business_name = v;
            }
            if let Some(v) = p.nib {
                f.nib = v;
            }
            if let Some(v) = p.kbli_code {
                f.kbli_code = v;
            }
            if let Some(v) = p.kbli_version {
                f.kbli_version = v.map(|k| text_of(&k));
            }
            if let Some(v) = p.sector {
                f.sector = text_of(&v);
            }
            if let Some(v) = p.business_capital {
                f.business_capital = v;
            }
            if let Some(v) = p.annual_sales {
                f.annual_sales = v;
            }
            if let Some(v) = p.figures_date {
                f.figures_date = v;
            }
            if let Some(v) = p.workers {
                f.workers = v;
            }
            if let Some(v) = p.start_year {
                f.start_year = v;
            }
            if let Some(v) = p.has_pirt {
                f.has_pirt = v;
            }
            if let Some(v) = p.has_halal {
                f.has_halal = v;
            }
            if let Some(v) = p.has_standard_certificate {
                f.has_standard_certificate = v;
            }
            if let Some(v) = p.npwp {
                f.npwp = v;
            }
            if let Some(v) = p.street {
                f.street = v;
            }
            if let Some(v) = p.kelurahan_code {
                f.kelurahan_code = v;
            }
            if let Some(v) = p.cooperative_id {
                f.cooperative_id = v;
            }
            if let Some(v) = p.status {
                f.status = text_of(&v);
            }
            check_business(&f, Utc::now().year()).into_result()?;
            check_kelurahan(&state2, &f.kelurahan_code)?;
            check_cooperative(conn, f.cooperative_id)?;
            apply_size(&state2, &mut f);
            if_match.check(current.version)?;
            let before = load(conn, &state2, id, false, disclosure)?;
            store::update(conn, id, current.version, &f).map_err(duplicate)?;
            let after = load(conn, &state2, id, false, disclosure)?;
            audit.record(
                conn,
                "update",
                "ukm",
                Some(id.to_string()),
                Some(diff(Some(&before), Some(&after), PERSONAL)),
            )?;
            Ok::<Ukm, ApiError>(after)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}

/// Archive a UKM.
///
/// The record is kept but disappears from lists and reads unless `include_archived=true`.
#[utoipa::path(
    operation_id = "archive_ukm",
    tag = "ukm",
    params(
        ("id" = i64, Path, description = "The UKM's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the UKM has changed since."),
    ),
    responses(
        (status = 204, description = "Archived."),
        (status = 404, response = responses::NotFound),
        (status = 412, response = responses::PreconditionFailed),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[delete("/ukm/{id}")]
pub async fn archive_ukm(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .write(move |conn| {
            let current = store::find(conn, id, false).map_err(not_found)?;
            if_match.check(current.version)?;
            store::archive(conn, id, current.version)?;
            audit.record(conn, "archive", "ukm", Some(id.to_string()), None)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
