//! Health-assessment instruments: versioned data. A stored version never changes, so an old
//! assessment always reads against the version that scored it.

use chrono::{DateTime, Utc};
use klinik_domain::Violation;
use klinik_domain::clinic::SubjectKind;
use klinik_domain::clinic::health::{ComponentInput, InstrumentDefinition, Scored, is_code};
use klinik_domain::clinic::instruments::{SeedInstrument, seeded};
use klinik_domain::text::single_line;
use klinik_persistence::StoreError;
use klinik_persistence::clinic::instruments::{self as store, InstrumentRow, NewInstrument};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::fields::utc;
use crate::prelude::*;

/// The shipped instruments as rows to store.
pub fn shipped() -> Result<Vec<NewInstrument>, serde_json::Error> {
    seeded()
        .into_iter()
        .map(|seed: SeedInstrument| {
            Ok(NewInstrument {
                code: seed.code.into(),
                version: seed.version,
                name: seed.name.into(),
                subject_kind: seed.subject_kind,
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
    pub fn from_row(row: InstrumentRow) -> Result<Self, Error> {
        Ok(Instrument {
            definition: serde_json::from_str(&row.definition).map_err(|e| Error::internal(&e))?,
            subject_kind: row.subject_kind,
            id: row.id.get(),
            code: row.code,
            version: row.version,
            name: row.name,
            source: row.source,
            created_at: utc(row.created_at),
        })
    }
}

impl Tagged for Instrument {
    fn version(&self) -> i64 {
        i64::from(self.version)
    }
}

pub fn load(conn: &mut AnyConnection, id: InstrumentId) -> Result<Instrument, Error> {
    Instrument::from_row(store::find(conn, id).map_err(Error::missing(Record::Instrument))?)
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
    /// Only instrument versions written at or after this time (RFC 3339; a version never
    /// changes): a sync's catch-up.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
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

/// Adds a version of an instrument; the definition is checked as a whole (weights add up to
/// 100, bands ascend, cut-offs rise).
pub async fn create(
    ctx: &Ctx,
    request: Idempotency,
    value: CreateInstrument,
) -> Result<Created, Error> {
    let mut violations = klinik_domain::Violations::default();
    if !is_code(&value.code) {
        violations.push(Violation::new(
            "code",
            "code_format",
            msg!("2 to 63 lowercase letters, digits or underscores, starting with a letter"),
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
    let definition = serde_json::to_string(&value.definition).map_err(|e| Error::internal(&e))?;
    ctx.write(move |conn, ctx| {
        create_once(conn, ctx, &request, |conn| {
            let version = store::latest_version(conn, &value.code)?.unwrap_or(0) + 1;
            let row = store::insert(
                conn,
                NewInstrument {
                    code: value.code.clone(),
                    version,
                    name: value.name.clone(),
                    subject_kind: value.subject_kind,
                    source: value.source.clone(),
                    definition: definition.clone(),
                },
            )
            .map_err(|e| match e {
                StoreError::Duplicate { .. } => Error::conflict(
                    "code",
                    "concurrent_version",
                    msg!("Another version of this instrument was added at the same moment; retry."),
                ),
                other => other.into(),
            })?;
            let record = Instrument::from_row(row)?;
            versioned::committed(
                conn,
                ctx,
                "create",
                "instrument",
                &record.id.to_string(),
                None,
            )?;
            Created::new(&record, format!("/api/v1/instruments/{}", record.id))
        })
    })
    .await
}

/// Instrument versions, by code and version.
pub async fn list(ctx: &Ctx, query: InstrumentQuery) -> Result<Page<Instrument>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    if query.code.as_deref().is_some_and(|c| !is_code(c)) {
        return Err(Error::query(
            "code",
            "code_format",
            msg!("2 to 63 lowercase letters, digits or underscores, starting with a letter"),
        ));
    }
    let kind = query.subject_kind;
    let since = query.updated_since.map(|t| t.naive_utc());
    let mut rows = ctx
        .read(move |conn, _ctx| Ok::<_, Error>(store::list(conn, kind, query.code.as_deref())?))
        .await?;
    rows.retain(|r| since.is_none_or(|t| r.created_at >= t));
    let (rows, total) = page.slice(rows);
    let items = rows
        .into_iter()
        .map(Instrument::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page.wrap_capped(items, total))
}

pub async fn get(ctx: &Ctx, id: InstrumentId) -> Result<Instrument, Error> {
    ctx.query(move |conn, _ctx| load(conn, id)).await
}

/// Scores with an instrument without storing anything: each component's score and weighted
/// contribution, each aspect's sum, the total and the predicate.
pub async fn score(ctx: &Ctx, id: InstrumentId, request: ScoreRequest) -> Result<Scored, Error> {
    let instrument = ctx.query(move |conn, _ctx| load(conn, id)).await?;
    if request.scores.len() > 200 {
        return Err(Error::validation(
            "scores",
            "too_many",
            msg!("at most 200 inputs"),
        ));
    }
    Ok(instrument
        .definition
        .score(&component_inputs(&request.scores))?)
}
