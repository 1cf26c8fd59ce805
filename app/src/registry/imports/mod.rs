//! Spreadsheet import and export of the registries, in one layout per kind.
//!
//! A kind declares its columns (English name, Indonesian alias, cell type, JSON path in the
//! matching create request). A row becomes that create request, so an imported row passes exactly
//! the validation the API applies; an exported record becomes cells that parse back to itself.
//! An import is checked as a whole and applied all or nothing; every import that reached the
//! rows is recorded, rejected ones included.

pub mod annual_reports;
pub mod cooperatives;
mod layout;
mod plan;
pub mod ukm;
pub mod yearly_figures;

pub use layout::*;
pub use plan::*;

use chrono::{DateTime, Utc};
use klinik_domain::imports::{ImportKind, ImportOutcome};
use klinik_persistence::imports::{self as store, ImportRow, NewImport};
use serde::Serialize;
use utoipa::ToSchema;

use crate::fields::utc;
use crate::prelude::*;
use crate::spreadsheet::{self, Format, Table};
use annual_reports::AnnualReportImporter;
use cooperatives::CooperativeImporter;
use ukm::UkmImporter;
use yearly_figures::YearlyFiguresImporter;

use crate::economy::import::EconomyYearImporter;

/// Largest file an import accepts: 32 MiB (the 2017 UKM registry is about 5 MB as CSV).
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;

/// One kind of spreadsheet: its layout, how rows are checked, and how a checked file is applied.
pub trait Importer {
    /// The change one accepted row makes.
    type Work;
    const COLUMNS: &'static [Column];

    /// Checks every row against the rules and the stored registry; writes nothing.
    fn plan(
        conn: &mut AnyConnection,
        state: &App,
        table: &Table,
    ) -> Result<Plan<Self::Work>, PlanError>;

    /// Applies a checked plan inside the caller's transaction, auditing every record it touches.
    fn apply(
        conn: &mut AnyConnection,
        state: &App,
        ctx: &Ctx,
        work: Vec<Self::Work>,
    ) -> Result<(), Error>;
}

/// A submitted spreadsheet, read within the size limit.
#[derive(Debug)]
pub struct Upload {
    /// As the sender named it, without control characters.
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub kind: ImportKind,
    /// Only check and count.
    pub dry_run: bool,
}

/// One import: the file, what it would change or changed, and every problem found.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 7, "kind": "ukm", "file_name": "ukm-2017.csv", "format": "csv", "dry_run": true,
    "outcome": "validated", "counts": {"rows_read": 3, "to_create": 1, "to_update": 1, "unchanged": 0, "rejected": 1},
    "problems": [{"row": 4, "column": "nik_pemilik", "code": "nik_month", "message": "the birth month must be 01 to 12"}],
    "created_by": "petugas1", "created_at": "2026-11-29T08:00:00Z"}))]
pub struct ImportReport {
    #[schema(value_type = i64)]
    pub id: ImportId,
    pub kind: ImportKind,
    pub file_name: String,
    /// `csv` or `xlsx`.
    #[schema(value_type = String)]
    pub format: Format,
    pub dry_run: bool,
    pub outcome: ImportOutcome,
    pub counts: ImportCounts,
    /// Every problem, by row and column. Empty when the import applied.
    pub problems: Vec<ImportProblem>,
    /// The user or client that sent the file.
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl ImportReport {
    fn from_row(row: ImportRow) -> Self {
        ImportReport {
            id: row.id,
            kind: row.kind,
            format: row.file_format,
            file_name: row.file_name,
            dry_run: row.dry_run,
            outcome: row.outcome,
            counts: ImportCounts {
                rows_read: row.rows_read,
                to_create: row.to_create,
                to_update: row.to_update,
                unchanged: row.unchanged,
                rejected: row.rejected,
            },
            // Written by `record` from the same type; a row that fails to read shows no problems
            // rather than failing the whole listing.
            problems: serde_json::from_str(&row.problems).unwrap_or_default(),
            created_by: row.actor_name,
            created_at: utc(row.created_at),
        }
    }
}

/// What a real run with problems found: its counts and every problem.
type Rejected = (ImportCounts, Vec<ImportProblem>);

/// Checks `upload` and, for a real run without problems, applies it: the recorded import, or a
/// 422 with every problem by row and column (the attempt is still recorded).
pub async fn run(ctx: &Ctx, upload: Upload) -> Result<ImportReport, Error> {
    // The city's accounts are the office's to enter, as at `/economy/years`: no client.
    if upload.kind == ImportKind::EconomyYears && !ctx.caller.is_staff() {
        return Err(Error::forbidden(msg!(
            "Only admins and officers may import the city's PDRB."
        )));
    }
    let format = spreadsheet::detect(&upload.file_name, &upload.bytes).ok_or_else(|| {
        Error::validation(
            "file",
            "unsupported_file_type",
            msg!("must be a CSV (.csv) or XLSX (.xlsx) spreadsheet"),
        )
    })?;
    let (checked, upload) = ctx
        .write(
            move |conn, ctx| -> Result<(Result<ImportRow, Rejected>, Upload), Error> {
                let table = spreadsheet::read(format, &upload.bytes)
                    .map_err(|p| file_problems(vec![p.into()]))?;
                let check = match upload.kind {
                    ImportKind::Cooperatives => check::<CooperativeImporter>,
                    ImportKind::AnnualReports => check::<AnnualReportImporter>,
                    ImportKind::Ukm => check::<UkmImporter>,
                    ImportKind::YearlyFigures => check::<YearlyFiguresImporter>,
                    ImportKind::EconomyYears => check::<EconomyYearImporter>,
                };
                let (counts, problems, outcome) = check(conn, ctx, &table, upload.dry_run)?;
                if outcome == ImportOutcome::Rejected {
                    return Ok((Err((counts, problems)), upload));
                }
                let row = record(conn, ctx, &upload, format, outcome, counts, &problems)?;
                Ok((Ok(row), upload))
            },
        )
        .await?;
    let (counts, problems) = match checked {
        Ok(row) => return Ok(ImportReport::from_row(row)),
        Err(rejected) => rejected,
    };
    let errors = problems.iter().map(row_error).collect();
    // Recorded after the rollback, so that nothing of the attempt but its record stays.
    ctx.write(move |conn, ctx| {
        let outcome = ImportOutcome::Rejected;
        record(conn, ctx, &upload, format, outcome, counts, &problems)
    })
    .await?;
    Err(Error::Validation { errors })
}

/// Imports, newest first; the problems are only in the single record.
pub async fn list(ctx: &Ctx, query: PageQuery) -> Result<Page<ImportReport>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let (limit, offset) = (page.limit(), page.offset());
    let (rows, total) = ctx
        .read(move |conn, _ctx| Ok::<_, Error>(store::list(conn, limit, offset)?))
        .await?;
    let items = rows
        .into_iter()
        .map(|row| ImportReport {
            problems: Vec::new(),
            ..ImportReport::from_row(row)
        })
        .collect();
    Ok(page.wrap(items, total))
}

pub async fn get(ctx: &Ctx, id: ImportId) -> Result<ImportReport, Error> {
    let row = ctx
        .read(move |conn, _ctx| store::find(conn, id).map_err(Error::missing(Record::Import)))
        .await?;
    Ok(ImportReport::from_row(row))
}

/// A row problem as a field error named `rows[N].column`.
fn row_error(problem: &ImportProblem) -> FieldError {
    let field = match (&problem.row, &problem.column) {
        (Some(row), Some(column)) => format!("rows[{row}].{column}"),
        (Some(row), None) => format!("rows[{row}]"),
        _ => "file".into(),
    };
    FieldError::new(field, problem.code.clone(), problem.message.clone())
}

/// Whole-file problems as a 422 naming the form field `file` and, in words, where each is.
fn file_problems(problems: Vec<ImportProblem>) -> Error {
    Error::Validation {
        errors: problems
            .into_iter()
            .map(|p| {
                let message = match (p.row, &p.column) {
                    (Some(row), Some(column)) => msg!(
                        "row %{row}, column %{column}: %{problem}",
                        row = row,
                        column = column
                    )
                    .with("problem", p.message),
                    (Some(row), None) => {
                        msg!("row %{row}: %{problem}", row = row).with("problem", p.message)
                    }
                    _ => p.message,
                };
                FieldError::new("file", p.code, message)
            })
            .collect(),
    }
}

/// Checks a table as kind `I` and, for a real run without problems, applies it.
fn check<I: Importer>(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    table: &Table,
    dry_run: bool,
) -> Result<(ImportCounts, Vec<ImportProblem>, ImportOutcome), Error> {
    let plan = match I::plan(conn, &ctx.app, table) {
        Ok(plan) => plan,
        Err(PlanError::File(problems)) => return Err(file_problems(problems)),
        Err(PlanError::Api(error)) => return Err(error),
    };
    let outcome = if dry_run {
        ImportOutcome::Validated
    } else if !plan.problems.is_empty() {
        ImportOutcome::Rejected
    } else {
        I::apply(conn, &ctx.app, ctx, plan.work)?;
        ImportOutcome::Applied
    };
    Ok((plan.counts, plan.problems, outcome))
}

/// Writes down one import and audits it.
fn record(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    upload: &Upload,
    format: Format,
    outcome: ImportOutcome,
    counts: ImportCounts,
    problems: &[ImportProblem],
) -> Result<ImportRow, Error> {
    let audit = &ctx.audit;
    let row = store::insert(
        conn,
        NewImport {
            kind: upload.kind,
            file_name: upload.file_name.clone(),
            file_format: format,
            dry_run: upload.dry_run,
            outcome,
            rows_read: counts.rows_read,
            to_create: counts.to_create,
            to_update: counts.to_update,
            unchanged: counts.unchanged,
            rejected: counts.rejected,
            problems: serde_json::to_string(problems).map_err(|e| Error::internal(&e))?,
            actor_type: audit.actor_type.into(),
            actor_id: audit.actor_id,
            actor_name: audit.actor_name.clone(),
            request_id: audit.request_id.clone(),
        },
    )?;
    let action = if upload.dry_run {
        "import_dry_run"
    } else {
        "import"
    };
    let changes = serde_json::json!({"kind": upload.kind, "outcome": outcome, "counts": counts});
    versioned::committed(
        conn,
        ctx,
        action,
        "import",
        &row.id.to_string(),
        Some(changes),
    )?;
    Ok(row)
}
