//! Evaluations (monitoring and evaluation) of a case: the indicators read from the registries
//! at the case's baseline and now, and the team's conclusion and next step. An evaluation never
//! changes; a later one supersedes it.

pub mod subject;

use chrono::{DateTime, NaiveDate, Utc};
use klinik_domain::Violations;
use klinik_domain::clinic::case::{CaseStatus, EvaluationNextStep};
use klinik_domain::clinic::evaluation::Indicator;
use klinik_domain::clinic::outcome::Conclusion;
use klinik_domain::text::multi_line;
use klinik_persistence::clinic::evaluations::{self as store, EvaluationRow, NewEvaluation};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clinic::cases::access::{CaseScope, visible_case};
use crate::fields::utc;
use crate::prelude::*;

pub const NOTES_MAX_CHARS: usize = 4000;

/// The team's judgement; the indicators are read from the registries by the server.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"evaluated_on": "2018-06-30", "conclusion": "improved", "next_step": "close",
    "notes": "RAT 2017 terlaksana; SHU naik."}))]
pub struct CreateEvaluation {
    /// Defaults to today; never in the future.
    pub evaluated_on: Option<NaiveDate>,
    pub conclusion: Conclusion,
    pub next_step: EvaluationNextStep,
    /// Up to 4000 characters; never logged nor audited.
    #[schema(
        max_length = 4000,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub notes: Option<String>,
}

/// An evaluation: the indicators at the case's baseline and when it was recorded, and the team's
/// conclusion and proposed next step. It never changes; a later evaluation supersedes it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 2, "case_id": 1, "evaluated_on": "2018-06-30",
    "indicators": [{"indicator": "rat_held", "baseline": false, "baseline_year": 2016, "current": true, "current_year": 2017},
        {"indicator": "shu", "baseline": 12000000, "baseline_year": 2016, "current": 15500000, "current_year": 2017},
        {"indicator": "predicate", "baseline": "dalam_pengawasan", "baseline_year": null, "current": "cukup_sehat", "current_year": null}],
    "conclusion": "improved", "next_step": "close", "notes": "RAT 2017 terlaksana; SHU naik.",
    "recorded_by": "olga", "version": 1, "created_at": "2026-11-29T10:00:00Z"}))]
pub struct Evaluation {
    pub id: i64,
    pub case_id: i64,
    pub evaluated_on: NaiveDate,
    /// Cooperatives: `rat_held`, `shu`, `members` (from annual reports; the baseline is the last
    /// book year before the case was registered, the current the latest on record) and
    /// `predicate` (first and latest final health assessments). UKM: `turnover`, `workers`,
    /// `size_class` (from yearly figures, likewise).
    pub indicators: Vec<Indicator>,
    pub conclusion: Conclusion,
    pub next_step: EvaluationNextStep,
    pub notes: Option<String>,
    /// Who recorded it.
    pub recorded_by: Option<String>,
    /// Always 1: an evaluation never changes.
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

impl Evaluation {
    fn from_row(row: EvaluationRow) -> Result<Self, Error> {
        Ok(Evaluation {
            id: row.id.get(),
            case_id: row.case_id.get(),
            evaluated_on: row.evaluated_on,
            indicators: serde_json::from_str(&row.indicators).map_err(|e| Error::internal(&e))?,
            conclusion: row.conclusion,
            next_step: row.next_step,
            notes: row.notes,
            recorded_by: row.recorded_by,
            version: 1,
            created_at: utc(row.created_at),
        })
    }
}

impl Tagged for Evaluation {
    fn version(&self) -> i64 {
        self.version
    }
}

fn in_scope(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: EvaluationId,
) -> Result<EvaluationRow, Error> {
    let row = store::find(conn, id).map_err(Error::missing(Record::Evaluation))?;
    let scope = CaseScope::of(conn, caller)?;
    visible_case(conn, &scope, row.case_id).map_err(|e| match e {
        Error::NotFound { .. } => Error::not_found(Record::Evaluation),
        other => other,
    })?;
    Ok(row)
}

/// Records an evaluation while the case is `evaluating` (409 otherwise), by office staff or the
/// case's team; the server reads the indicators from the registries.
pub async fn create(
    ctx: &Ctx,
    case_id: CaseId,
    request: Idempotency,
    value: CreateEvaluation,
) -> Result<Created, Error> {
    let today = Utc::now().date_naive();
    let evaluated_on = value.evaluated_on.unwrap_or(today);
    let mut v = Violations::default();
    if evaluated_on > today {
        v.push(klinik_domain::Violation::new(
            "evaluated_on",
            "date_in_future",
            msg!("must not be after today"),
        ));
    }
    if let Some(notes) = &value.notes {
        v.check(multi_line("notes", notes, NOTES_MAX_CHARS));
    }
    v.into_result()?;
    let thresholds = ctx.app.size_thresholds.clone();
    ctx.write(move |conn, ctx| {
        create_once(conn, ctx, &request, |conn| {
            let scope = CaseScope::of(conn, &ctx.caller)?;
            let case = visible_case(conn, &scope, case_id)?;
            if case.status != CaseStatus::Evaluating {
                return Err(Error::conflict(
                    "case_id",
                    "case_not_evaluating",
                    msg!("The case is %{status}; evaluations are recorded while it is evaluating.", status = case.status),
                ));
            }
            let indicators = subject::indicators(conn, &thresholds, &case)?;
            let row = store::insert(
                conn,
                NewEvaluation {
                    case_id,
                    evaluated_on,
                    indicators: serde_json::to_string(&indicators).map_err(|e| Error::internal(&e))?,
                    conclusion: value.conclusion,
                    next_step: value.next_step,
                    notes: value.notes.clone(),
                    recorded_by: ctx.audit.actor_name.clone(),
                },
            )?;
            let record = Evaluation::from_row(row)?;
            versioned::committed(
                conn,
                ctx,
                "create",
                "evaluation",
                &record.id.to_string(),
                Some(serde_json::json!({"conclusion": record.conclusion, "next_step": record.next_step})),
            )?;
            Created::new(&record, format!("/api/v1/evaluations/{}", record.id))
        })
    })
    .await
}

/// A case's evaluations, oldest first.
pub async fn list_of_case(
    ctx: &Ctx,
    case_id: CaseId,
    query: SyncPageQuery,
) -> Result<Page<Evaluation>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let since = query.since();
    let (items, total) = ctx
        .read(move |conn, ctx| {
            let scope = CaseScope::of(conn, &ctx.caller)?;
            visible_case(conn, &scope, case_id)?;
            // An evaluation never changes: its writing is its only change.
            let mut rows = store::of_case(conn, case_id)?;
            rows.retain(|r| since.is_none_or(|t| r.created_at >= t));
            let (rows, total) = page.slice(rows);
            let items = rows
                .into_iter()
                .map(Evaluation::from_row)
                .collect::<Result<Vec<_>, _>>()?;
            Ok::<_, Error>((items, total))
        })
        .await?;
    Ok(page.wrap_capped(items, total))
}

pub async fn get(ctx: &Ctx, id: EvaluationId) -> Result<Evaluation, Error> {
    ctx.read(move |conn, ctx| Evaluation::from_row(in_scope(conn, &ctx.caller, id)?))
        .await
}
