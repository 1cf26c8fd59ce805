//! Partner institutions: `/api/v1/partners`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use klinik_domain::Violations;
use klinik_domain::clinic::PartnerKind;
use klinik_domain::text::single_line;
use klinik_persistence::clinic::partners::{
    self as store, PartnerFields, PartnerFilter, PartnerRow,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{check_q, paging};
use crate::audit::{AuditContext, diff};
use crate::extract::{IdempotencyKey, IfMatch, JsonBody, QueryParams, etag, present};
use crate::problem::{ApiError, responses};
use crate::routes::cooperatives::IncludeArchivedQuery;
use crate::routes::cooperatives::dto::utc;
use crate::routes::created::{Created, create_once};
use crate::routes::{Page, PageRequest, with_etag};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_partner)
        .service(list_partners)
        .service(get_partner)
        .service(update_partner)
        .service(archive_partner);
}

const NAME_MAX_CHARS: usize = 200;

/// Registers a partner institution.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Institut Pertanian Bogor", "kind": "university"}))]
pub struct CreatePartner {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub name: String,
    pub kind: PartnerKind,
}

/// Changes a partner; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "IPB University"}))]
pub struct PatchPartner {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = PartnerKind)]
    pub kind: Option<PartnerKind>,
}

/// A partner institution.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "name": "Institut Pertanian Bogor", "kind": "university", "version": 1,
    "created_at": "2026-11-29T10:00:00Z", "updated_at": "2026-11-29T10:00:00Z", "archived_at": null}))]
pub struct Partner {
    pub id: i64,
    pub name: String,
    #[schema(value_type = PartnerKind)]
    pub kind: String,
    /// Increases with every change; sent as the `ETag`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
}

impl From<PartnerRow> for Partner {
    fn from(row: PartnerRow) -> Self {
        Partner {
            id: row.id,
            name: row.name,
            kind: row.kind,
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            archived_at: row.archived_at.map(utc),
        }
    }
}

fn fields(name: String, kind: PartnerKind) -> Result<PartnerFields, ApiError> {
    let mut violations = Violations::default();
    violations.check(single_line("name", &name, NAME_MAX_CHARS));
    violations.into_result()?;
    Ok(PartnerFields {
        name,
        kind: kind.as_str().to_owned(),
    })
}

/// Register a partner institution.
///
/// Universities, banks, rural banks (BPR), the cooperative council (Dekopinda), associations and
/// government units that lend experts, fund programmes or finance the clinic's subjects.
#[utoipa::path(
    operation_id = "create_partner",
    tag = "clinic",
    request_body = CreatePartner,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see `create_cooperative`).", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Registered.", body = Partner,
            headers(("Location" = String, description = "URL of the new partner."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/partners")]
pub async fn create_partner(
    state: web::Data<AppState>,
    request: HttpRequest,
    key: IdempotencyKey,
    audit: AuditContext,
    body: JsonBody<CreatePartner>,
) -> Result<HttpResponse, ApiError> {
    let input = body.value;
    let fields = fields(input.name, input.kind)?;
    let scope = format!("POST {}", request.path());
    let (created, replayed) = state
        .write(move |conn| {
            create_once(conn, &scope, key.0.as_deref(), &body.raw, |conn| {
                let record = Partner::from(store::insert(conn, &fields)?);
                audit.record(
                    conn,
                    "create",
                    "partner",
                    Some(record.id.to_string()),
                    Some(diff::<Partner, Partner>(None, Some(&record), &[])),
                )?;
                Created::new(
                    &record,
                    format!("/api/v1/partners/{}", record.id),
                    etag(record.version),
                )
            })
        })
        .await?;
    Ok(created.into_response(replayed))
}

/// Filters of the partner list; they combine with AND. Unknown parameters are a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PartnerQuery {
    /// Only this kind.
    pub kind: Option<PartnerKind>,
    /// Part of the name, case-insensitive; `%` and `_` match themselves.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Include archived partners.
    pub include_archived: Option<bool>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// List partner institutions, by name.
#[utoipa::path(
    operation_id = "list_partners",
    tag = "clinic",
    params(PartnerQuery),
    responses(
        (status = 200, description = "One page of partners.", body = Page<Partner>),
        (status = 400, response = responses::BadRequest),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/partners")]
pub async fn list_partners(
    state: web::Data<AppState>,
    query: QueryParams<PartnerQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let page = PageRequest::new(query.page, query.page_size)?;
    check_q(&query.q)?;
    let filter = PartnerFilter {
        kind: query.kind.map(|k| k.as_str().to_owned()),
        q: query.q,
        include_archived: query.include_archived.unwrap_or(false),
    };
    let (rows, total) = state
        .read(move |conn| Ok(store::list(conn, &filter, paging(&page))?))
        .await?;
    let items = rows.into_iter().map(Partner::from).collect();
    Ok(HttpResponse::Ok().json(page.wrap_capped(items, total)))
}

/// Read a partner institution.
#[utoipa::path(
    operation_id = "get_partner",
    tag = "clinic",
    params(("id" = i64, Path, description = "The partner's id.", minimum = 1), IncludeArchivedQuery),
    responses(
        (status = 200, description = "The partner.", body = Partner,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/partners/{id}")]
pub async fn get_partner(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: QueryParams<IncludeArchivedQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let include_archived = query.0.include_archived.unwrap_or(false);
    let record = state
        .query(move |conn| {
            store::find(conn, id, include_archived).map_err(ApiError::missing("Partner"))
        })
        .await
        .map(Partner::from)?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}

/// Change a partner institution.
///
/// Absent fields stay. Send the `ETag` you read as `If-Match` (412 if it changed since).
#[utoipa::path(
    operation_id = "update_partner",
    tag = "clinic",
    request_body = PatchPartner,
    params(
        ("id" = i64, Path, description = "The partner's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The changed partner.", body = Partner,
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
#[patch("/partners/{id}")]
pub async fn update_partner(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
    body: JsonBody<PatchPartner>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.value;
    let record = state
        .write(move |conn| {
            let current = store::find(conn, id, false).map_err(ApiError::missing("Partner"))?;
            let kind = match patch.kind {
                Some(kind) => kind,
                None => current
                    .kind
                    .parse()
                    .map_err(|_| ApiError::internal(&"stored partner kind"))?,
            };
            let fields = fields(patch.name.unwrap_or_else(|| current.name.clone()), kind)?;
            if_match.check(current.version)?;
            let after = Partner::from(store::update(conn, id, current.version, &fields)?);
            let before = Partner::from(current);
            audit.record(
                conn,
                "update",
                "partner",
                Some(id.to_string()),
                Some(diff(Some(&before), Some(&after), &[])),
            )?;
            Ok(after)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}

/// Archive a partner institution.
///
/// Kept for the record (programmes and experts still name it) but gone from lists and reads
/// unless `include_archived=true`. Archiving twice is a 404.
#[utoipa::path(
    operation_id = "archive_partner",
    tag = "clinic",
    params(
        ("id" = i64, Path, description = "The partner's id.", minimum = 1),
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
#[delete("/partners/{id}")]
pub async fn archive_partner(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .write(move |conn| {
            let current = store::find(conn, id, false).map_err(ApiError::missing("Partner"))?;
            if_match.check(current.version)?;
            store::archive(conn, id, current.version)?;
            audit.record(conn, "archive", "partner", Some(id.to_string()), None)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
