//! Register, list, read, change and archive UKM.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{Datelike, Utc};
use klinik_domain::accounts::Role;
use klinik_domain::size_class::{classify, in_force};
use klinik_persistence::persons;
use klinik_persistence::ukm::{self as store, UkmFields};
use klinik_persistence::{AnyConnection, StoreError, cooperatives};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{
    CreateUkm, Disclosure, PatchUkm, Ukm, check_business, check_owner, owner_view, person_fields,
    text_of, ukm_view,
};
use crate::audit::{AuditContext, diff};
use crate::auth::Caller;
use crate::extract::{IdempotencyKey, IfMatch, JsonBody, QueryParams, etag, query_error};
use crate::point_reads::PointReads;
use crate::problem::{ApiError, responses};
use crate::routes::created::{Created, create_once};
use crate::routes::with_etag;
use crate::state::AppState;

/// Fields of a UKM that are personal data: the audit trail shows only that they changed.
const PERSONAL: &[&str] = &["owner"];

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
pub(crate) fn handles_personal_data(caller: &Caller) -> bool {
    matches!(caller.role(), Role::Admin | Role::Officer)
}

/// Computes size class, basis and regulation from the figures and their date.
pub(crate) fn apply_size(state: &AppState, fields: &mut UkmFields) {
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

pub(crate) fn check_kelurahan(state: &AppState, code: &str) -> Result<(), ApiError> {
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
    let (row, person) =
        store::find_with_owner(conn, id, include_archived).map_err(ApiError::missing("UKM"))?;
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
    let JsonBody { value, raw } = body;
    let (mut fields, owner) = value.split();
    let mut violations = check_owner(&owner);
    violations
        .0
        .extend(check_business(&fields, Utc::now().year()).0);
    violations.into_result()?;
    check_kelurahan(&state, &fields.kelurahan_code)?;
    apply_size(&state, &mut fields);
    let (person_fields, nik_hash) = person_fields(&owner, &state.data_key)?;
    let disclosure = if handles_personal_data(&caller) {
        Disclosure::Staff
    } else {
        Disclosure::Minimal
    };
    let scope = format!("POST {}", request.path());
    let state2 = state.clone();
    let (created, replayed) = state
        .write(move |conn| {
            create_once(conn, &scope, key.0.as_deref(), &raw, |conn| {
                check_cooperative(conn, fields.cooperative_id)?;
                let existing = match &nik_hash {
                    Some(hash) => persons::find_by_nik_hash(conn, hash)?,
                    None => None,
                };
                let person = match existing {
                    Some(person) => person,
                    None => persons::insert(conn, &person_fields).map_err(duplicate)?,
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
    point_reads: web::Data<PointReads>,
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
    } else if let Some(found) = point_reads.ukm_with_owner(id, include_archived).await {
        let (row, person) = found?;
        let owner = owner_view(&person, &state.data_key, disclosure)?;
        ukm_view(row, owner, &state.regions)
    } else {
        state
            .query(move |conn| load(conn, &state2, id, include_archived, disclosure))
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
            let current = store::find(conn, id, false).map_err(ApiError::missing("UKM"))?;
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
            let current = store::find(conn, id, false).map_err(ApiError::missing("UKM"))?;
            if_match.check(current.version)?;
            store::archive(conn, id, current.version)?;
            audit.record(conn, "archive", "ukm", Some(id.to_string()), None)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
