//! Health-assessment instruments: `/api/v1/instruments`. Versioned data; a stored version never
//! changes, so an old assessment always reads against the version that scored it.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use klinik_domain::Violation;
use klinik_domain::clinic::SubjectKind;
use klinik_domain::clinic::health::{ComponentInput, InstrumentDefinition, Scored, is_code};
use klinik_domain::clinic::instruments::{SeedInstrument, seeded};
use klinik_domain::text::single_line;
use klinik_persistence::clinic::instruments::{self as store, InstrumentRow, NewInstrument};
use klinik_persistence::{AnyConnection, StoreError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::audit::AuditContext;
use crate::extract::{IdempotencyKey, JsonBody, QueryParams, etag};
use crate::problem::{ApiError, responses};
use crate::routes::cooperatives::dto::utc;
use crate::routes::created::{Created, create_once};
use crate::routes::{Page, PageRequest, with_etag};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_instrument)
        .service(list_instruments)
        .service(get_instrument)
        .service(score_instrument);
}

/// The shipped instruments as rows to store.
pub fn shipped() -> Result<Vec<NewInstrument>, serde_json::Error> {
    seeded()
        .into_iter()
        .map(|seed: SeedInstrument| {
            Ok(NewInstrument {
                code: seed.code.into(),
                version: seed.version,
                name: seed.name.into(),
                subject_kind: seed.subject_kind.as_str().into(),
                source: Some(seed.source.into()),
                definition: serde_json::to_string(&seed.definition)?,
            })
        })
        .collect()
}

/// An instrument version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Instrument {
    pub id: i64,
    /// Stable name of the instrument across versions, e.g. `ksp_konvensional`.
    #[schema(example = "ksp_konvensional")]
    pub code: String,
    #[schema(example = 1, minimum = 1)]
    pub version: i32,
    pub name: String,
    pub subject_kind: SubjectKind,
    /// The regulation or document it follows.
    pub source: Option<String>,
    pub definition: InstrumentDefinition,
    pub created_at: DateTime<Utc>,
}

impl Instrument {
    pub fn from_row(row: InstrumentRow) -> Result<Self, ApiError> {
        Ok(Instrument {
            definition: serde_json::from_str(&row.definition)
                .map_err(|e| ApiError::internal(&e))?,
            subject_kind: row
                .subject_kind
                .parse()
                .map_err(|_| ApiError::internal(&"stored instrument subject kind"))?,
            id: row.id,
            code: row.code,
            version: row.version,
            name: row.name,
            source: row.source,
            created_at: utc(row.created_at),
        })
    }
}

fn load(conn: &mut AnyConnection, id: i64) -> Result<Instrument, ApiError> {
    Instrument::from_row(store::find(conn, id).map_err(ApiError::missing("Instrument"))?)
}

/// Adds a version of an instrument: a new `code` starts at version 1, a known one gets the next.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInstrument {
    #[schema(pattern = "^[a-z][a-z0-9_]{1,62}$", example = "ksp_konvensional")]
    pub code: String,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub name: String,
    pub subject_kind: SubjectKind,
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub source: Option<String>,
    /// Aspects, components with weights adding up to exactly 100, scoring rules and cut-offs.
    pub definition: InstrumentDefinition,
}

/// Add an instrument version.
///
/// The definition is checked as a whole (weights add up to 100, bands ascend, cut-offs rise)
/// and stored as the next version of `code`; earlier versions and the assessments made with them
/// stay as they were.
#[utoipa::path(
    operation_id = "create_instrument",
    tag = "clinic",
    request_body = CreateInstrument,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see `create_cooperative`).", pattern = "^[!-~]{1,255}$")),
    responses(
        (status = 201, description = "Stored as the next version of its code.", body = Instrument,
            headers(("Location" = String, description = "URL of the new version."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/instruments")]
pub async fn create_instrument(
    state: web::Data<AppState>,
    request: HttpRequest,
    key: IdempotencyKey,
    audit: AuditContext,
    body: JsonBody<CreateInstrument>,
) -> Result<HttpResponse, ApiError> {
    let JsonBody { value, raw } = body;
    let mut violations = klinik_domain::Violations::default();
    if !is_code(&value.code) {
        violations.push(Violation::new(
            "code",
            "code_format",
            "2 to 63 lowercase letters, digits or underscores, starting with a letter",
        ));
    }
    violations.check(single_line("name", &value.name, 200));
    if let Some(source) = &value.source {
        violations.check(single_line("source", source, 500));
    }
    if let Err(broken) = value.definition.validate() {
        for v in broken.0 {
            violations.push(Violation::new(
                format!("definition.{}", v.field),
                v.code,
                v.message,
            ));
        }
    }
    violations.into_result()?;
    let definition =
        serde_json::to_string(&value.definition).map_err(|e| ApiError::internal(&e))?;
    let scope = format!("POST {}", request.path());
    let (created, replayed) = state
        .write(move |conn| {
            create_once(conn, &scope, key.0.as_deref(), &raw, |conn| {
                let version = store::latest_version(conn, &value.code)?.unwrap_or(0) + 1;
                let row = store::insert(
                    conn,
                    &NewInstrument {
                        code: value.code.clone(),
                        version,
                        name: value.name.clone(),
                        subject_kind: value.subject_kind.as_str().into(),
                        source: value.source.clone(),
                        definition: definition.clone(),
                    },
                )
                .map_err(|e| match e {
                    StoreError::Duplicate { .. } => ApiError::conflict(
                        "code",
                        "concurrent_version",
                        "Another version of this instrument was added at the same moment; retry.",
                    ),
                    other => other.into(),
                })?;
                let record = Instrument::from_row(row)?;
                audit.record(
                    conn,
                    "create",
                    "instrument",
                    Some(record.id.to_string()),
                    None,
                )?;
                Created::new(
                    &record,
                    format!("/api/v1/instruments/{}", record.id),
                    etag(i64::from(record.version)),
                )
            })
        })
        .await?;
    Ok(created.into_response(replayed))
}

/// Filters of the instrument list. Unknown parameters are a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InstrumentQuery {
    /// Only instruments for this kind of subject.
    pub subject_kind: Option<SubjectKind>,
    /// Only the versions of this instrument.
    #[param(pattern = "^[a-z][a-z0-9_]{1,62}$")]
    pub code: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// List instrument versions, by code and version.
#[utoipa::path(
    operation_id = "list_instruments",
    tag = "clinic",
    params(InstrumentQuery),
    responses(
        (status = 200, description = "One page of instrument versions.", body = Page<Instrument>),
        (status = 400, response = responses::BadRequest),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/instruments")]
pub async fn list_instruments(
    state: web::Data<AppState>,
    query: QueryParams<InstrumentQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let page = PageRequest::new(query.page, query.page_size)?;
    if query.code.as_deref().is_some_and(|c| !is_code(c)) {
        return Err(crate::extract::query_error(
            "code",
            "code_format",
            "2 to 63 lowercase letters, digits or underscores, starting with a letter",
        ));
    }
    let kind = query.subject_kind.map(|k| k.as_str());
    let rows = state
        .read(move |conn| Ok(store::list(conn, kind, query.code.as_deref())?))
        .await?;
    let (rows, total) = page.slice(rows);
    let items = rows
        .into_iter()
        .map(Instrument::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(page.wrap_capped(items, total)))
}

/// Read an instrument version.
#[utoipa::path(
    operation_id = "get_instrument",
    tag = "clinic",
    params(("id" = i64, Path, description = "The instrument version's id.", minimum = 1)),
    responses(
        (status = 200, description = "The instrument version.", body = Instrument,
            headers(("ETag" = String, description = "Its version number."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/instruments/{id}")]
pub async fn get_instrument(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let record = state.query(move |conn| load(conn, id)).await?;
    Ok(with_etag(
        StatusCode::OK,
        i64::from(record.version),
        &record,
    ))
}

/// One component's input: `score` (0–100, two decimals at most) for a directly scored component,
/// `ratio` (percent) for one scored by its table.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"component": "risiko_pinjaman_bermasalah", "ratio": "7.5"}))]
pub struct ComponentScoreInput {
    #[schema(min_length = 1, max_length = 63)]
    pub component: String,
    #[serde(default, with = "klinik_domain::clinic::decimal::optional_text")]
    #[schema(value_type = Option<String>, pattern = r"^-?[0-9]{1,7}(\.[0-9]{1,4})?$", example = "85")]
    pub score: Option<Decimal>,
    #[serde(default, with = "klinik_domain::clinic::decimal::optional_text")]
    #[schema(value_type = Option<String>, pattern = r"^-?[0-9]{1,7}(\.[0-9]{1,4})?$", example = "7.5")]
    pub ratio: Option<Decimal>,
}

/// Inputs for every component of the instrument.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"scores": [{"component": "permodalan", "score": "70"}]}))]
pub struct ScoreRequest {
    #[schema(max_items = 200)]
    pub scores: Vec<ComponentScoreInput>,
}

/// The inputs as the domain takes them.
pub fn component_inputs(scores: &[ComponentScoreInput]) -> Vec<ComponentInput<'_>> {
    scores
        .iter()
        .map(|s| ComponentInput {
            component: &s.component,
            score: s.score,
            ratio: s.ratio,
        })
        .collect()
}

/// Score with an instrument, without storing anything.
///
/// Every component needs an input; the answer shows each component's score and weighted
/// contribution, each aspect's sum, the total rounded to two decimals and the predicate. Useful to
/// preview an assessment before it is recorded with a diagnosis.
#[utoipa::path(
    operation_id = "score_instrument",
    tag = "clinic",
    request_body = ScoreRequest,
    params(("id" = i64, Path, description = "The instrument version's id.", minimum = 1)),
    responses(
        (status = 200, description = "The scored assessment.", body = Scored),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/instruments/{id}/score")]
pub async fn score_instrument(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: JsonBody<ScoreRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let instrument = state.query(move |conn| load(conn, id)).await?;
    let request = body.value;
    if request.scores.len() > 200 {
        return Err(ApiError::validation(
            "scores",
            "too_many",
            "at most 200 inputs",
        ));
    }
    let scored = instrument
        .definition
        .score(&component_inputs(&request.scores))?;
    Ok(HttpResponse::Ok().json(scored))
}
