//! Spreadsheet import and export of the registries, in one layout per kind.
//!
//! A kind declares its columns (English name, Indonesian alias, cell type, JSON path in the
//! matching create request). A row becomes that create request, so an imported row passes exactly
//! the validation the API applies; an exported record becomes cells that parse back to itself.

pub mod annual_reports;
pub mod cooperatives;
pub mod ukm;
pub mod yearly_figures;

use std::collections::HashMap;

use chrono::NaiveDate;
use klinik_domain::Violations;
use klinik_persistence::AnyConnection;
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use crate::audit::{AuditContext, MASK};
use crate::problem::ApiError;
use crate::spreadsheet::{FileProblem, Row, Table};
use crate::state::AppState;

/// One kind of spreadsheet: its layout, how rows are checked, and how a checked file is applied.
pub trait Importer {
    /// The change one accepted row makes.
    type Work;
    const COLUMNS: &'static [Column];

    /// Checks every row against the rules and the stored registry; writes nothing.
    fn plan(
        conn: &mut AnyConnection,
        state: &AppState,
        table: &Table,
    ) -> Result<Plan<Self::Work>, PlanError>;

    /// Applies a checked plan inside the caller's transaction, auditing every record it touches.
    fn apply(
        conn: &mut AnyConnection,
        state: &AppState,
        audit: &AuditContext,
        work: Vec<Self::Work>,
    ) -> Result<(), ApiError>;
}

/// Columns written as numbers in XLSX (never identifiers, whose digits are text).
pub fn numeric_columns(columns: &[Column]) -> Vec<bool> {
    columns
        .iter()
        .map(|c| c.kind == CellKind::Integer)
        .collect()
}

/// The audit diff of one row: its cells before and after, personal columns masked.
pub fn cell_changes(columns: &[Column], before: Option<&[String]>, after: &[String]) -> Value {
    let mut object = Map::new();
    for (index, column) in columns.iter().enumerate() {
        let old = before.map(|b| b[index].as_str());
        let new = after[index].as_str();
        if old == Some(new) {
            continue;
        }
        let shown = |v: Option<&str>| match v {
            None | Some("") => Value::Null,
            Some(_) if column.personal => Value::String(MASK.into()),
            Some(v) => Value::String(v.to_owned()),
        };
        object.insert(
            column.name.to_owned(),
            json!({"before": shown(old), "after": shown(Some(new))}),
        );
    }
    Value::Object(object)
}

/// Fills the cells a file lacks (`None`) from the stored record's cells.
pub fn merge_stored(cells: &mut [Option<String>], stored: &[String]) {
    for (cell, old) in cells.iter_mut().zip(stored) {
        if cell.is_none() {
            *cell = Some(old.clone());
        }
    }
}

/// A cell's text when the file has the column and the cell is not empty.
pub fn present(cells: &[Option<String>], column: usize) -> Option<String> {
    cells[column].clone().filter(|v| !v.is_empty())
}

/// Plain-text spellings of stored values in cells.
pub fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
}

pub fn number<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

pub fn flag(value: bool) -> String {
    if value { "ya" } else { "tidak" }.to_owned()
}

/// How a cell's text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    Text,
    Integer,
    Bool,
    Date,
}

/// One column of an import/export layout.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The English header, as exports write it.
    pub name: &'static str,
    /// The Indonesian header, also accepted on import.
    pub indonesian: &'static str,
    pub kind: CellKind,
    /// Where the value goes in the create request (`owner.full_name`); empty for a column that
    /// only finds the record the row belongs to.
    pub path: &'static str,
    pub required: bool,
    /// Personal data: masked or left empty in exports for roles that may not see it.
    pub personal: bool,
}

impl Column {
    pub const fn new(
        name: &'static str,
        indonesian: &'static str,
        kind: CellKind,
        path: &'static str,
    ) -> Self {
        Column {
            name,
            indonesian,
            kind,
            path,
            required: false,
            personal: false,
        }
    }

    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub const fn personal(mut self) -> Self {
        self.personal = true;
        self
    }
}

/// One problem of an import, where a person can find it in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
#[schema(example = json!({"row": 12, "column": "nik_pemilik", "code": "nik_province", "message": "does not start with a real province code"}))]
pub struct ImportProblem {
    /// The spreadsheet row (the header is row 1); `null` for a problem with the whole file.
    pub row: Option<usize>,
    /// The column's header as written in the file, or its letter; `null` for a whole row.
    pub column: Option<String>,
    /// Stable machine-readable rule code.
    pub code: String,
    /// Explanation for people; never repeats the value.
    pub message: String,
}

impl ImportProblem {
    pub fn row(row: usize, column: Option<&str>, code: &str, message: impl Into<String>) -> Self {
        ImportProblem {
            row: Some(row),
            column: column.map(str::to_owned),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

impl From<FileProblem> for ImportProblem {
    fn from(p: FileProblem) -> Self {
        ImportProblem {
            row: p.row,
            column: p.column,
            code: p.code.to_owned(),
            message: p.message,
        }
    }
}

fn normalise(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    for c in header.trim().chars().flat_map(char::to_lowercase) {
        let c = if c.is_alphanumeric() { c } else { '_' };
        if !(c == '_' && (out.is_empty() || out.ends_with('_'))) {
            out.push(c);
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// Which file column holds which layout column.
#[derive(Debug, Clone)]
pub struct HeaderMap {
    /// For each layout column, its index in the file and the header as written.
    positions: Vec<Option<(usize, String)>>,
}

impl HeaderMap {
    /// Matches the file's headers to `columns`: every header must be known (in English or
    /// Indonesian), appear once, and the required columns must all be there.
    pub fn new(columns: &[Column], headers: &[String]) -> Result<Self, Vec<ImportProblem>> {
        let mut positions: Vec<Option<(usize, String)>> = vec![None; columns.len()];
        let mut problems = Vec::new();
        for (index, header) in headers.iter().enumerate() {
            let key = normalise(header);
            if key.is_empty() {
                continue;
            }
            let Some(found) = columns
                .iter()
                .position(|c| c.name == key || normalise(c.indonesian) == key)
            else {
                problems.push(ImportProblem::row(
                    1,
                    Some(header),
                    "unknown_column",
                    "is not a column of this kind of import",
                ));
                continue;
            };
            if positions[found].is_some() {
                problems.push(ImportProblem::row(
                    1,
                    Some(header),
                    "duplicate_column",
                    "appears more than once (in English or Indonesian)",
                ));
                continue;
            }
            positions[found] = Some((index, header.trim().to_owned()));
        }
        for (column, position) in columns.iter().zip(&positions) {
            if column.required && position.is_none() {
                problems.push(ImportProblem {
                    row: Some(1),
                    column: Some(column.name.to_owned()),
                    code: "missing_column".into(),
                    message: format!(
                        "the file needs this column (or its Indonesian name `{}`)",
                        column.indonesian
                    ),
                });
            }
        }
        if problems.is_empty() {
            Ok(HeaderMap { positions })
        } else {
            Err(problems)
        }
    }

    pub fn has(&self, column: usize) -> bool {
        self.positions[column].is_some()
    }

    /// The cell of layout column `column` in `row`, if the file has that column.
    pub fn cell<'r>(&self, row: &'r Row, column: usize) -> Option<&'r str> {
        self.positions[column]
            .as_ref()
            .map(|(i, _)| row.cells.get(*i).map(String::as_str).unwrap_or(""))
    }

    /// The header as the file wrote it, for problems.
    pub fn header<'a>(&'a self, columns: &'a [Column], column: usize) -> &'a str {
        self.positions[column]
            .as_ref()
            .map(|(_, h)| h.as_str())
            .unwrap_or(columns[column].name)
    }
}

/// Reads a cell's text as the JSON value its column expects; empty is absent.
fn cell_value(kind: CellKind, text: &str) -> Result<Option<Value>, (&'static str, &'static str)> {
    if text.is_empty() {
        return Ok(None);
    }
    let value = match kind {
        CellKind::Text => Value::String(text.to_owned()),
        CellKind::Integer => text.parse::<i64>().map(Value::from).map_err(|_| {
            (
                "not_an_integer",
                "must be a whole number without separators",
            )
        })?,
        CellKind::Bool => match text.to_lowercase().as_str() {
            "true" | "ya" | "yes" | "1" => Value::Bool(true),
            "false" | "tidak" | "no" | "0" => Value::Bool(false),
            _ => return Err(("not_a_boolean", "must be ya/tidak (or true/false)")),
        },
        CellKind::Date => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
            .map(|d| Value::String(d.format("%Y-%m-%d").to_string()))
            .map_err(|_| ("not_a_date", "must be a date as YYYY-MM-DD or DD/MM/YYYY"))?,
    };
    Ok(Some(value))
}

fn insert_path(object: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            object.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let inner = object
                .entry(head.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = inner {
                insert_path(inner, rest, value);
            }
        }
    }
}

/// Cells (one per layout column, `None` when the file lacks the column) as a create request.
pub fn to_request<T: serde::de::DeserializeOwned>(
    columns: &[Column],
    cells: &[Option<String>],
    problem_at: &dyn Fn(usize, &str, &str) -> ImportProblem,
) -> Result<T, Vec<ImportProblem>> {
    let mut object = Map::new();
    let mut problems = Vec::new();
    for (index, column) in columns.iter().enumerate() {
        // Key columns that name another record (path "") are not part of the request.
        let Some(text) = cells[index].as_deref().filter(|_| !column.path.is_empty()) else {
            continue;
        };
        match cell_value(column.kind, text) {
            Ok(Some(value)) => insert_path(&mut object, column.path, value),
            Ok(None) => {}
            Err((code, message)) => problems.push(problem_at(index, code, message)),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    serde_path_to_error::deserialize(Value::Object(object)).map_err(|error| {
        let path = error.path().to_string();
        let (code, message) = if error.inner().to_string().starts_with("missing field") {
            ("required", "is required")
        } else {
            ("invalid_value", "is not one of the allowed values")
        };
        let column = columns.iter().position(|c| c.path == path).or_else(|| {
            // A missing field is reported at its parent; name the first column under it.
            let missing = error.inner().to_string();
            columns.iter().position(|c| {
                c.path.starts_with(&format!("{path}."))
                    || missing.contains(&format!("`{}`", c.path))
            })
        });
        vec![match column {
            Some(index) => problem_at(index, code, message),
            None => problem_at(usize::MAX, code, message),
        }]
    })
}

/// Domain violations (named by request path) as problems in the file's columns.
pub fn violations_to_problems(
    violations: Violations,
    columns: &[Column],
    problem_at: &dyn Fn(usize, &str, &str) -> ImportProblem,
) -> Vec<ImportProblem> {
    violations
        .0
        .into_iter()
        .map(|v| {
            let index = columns
                .iter()
                .position(|c| c.path == v.field)
                .unwrap_or(usize::MAX);
            problem_at(index, v.code, &v.message)
        })
        .collect()
}

/// What an import would do, or did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct ImportCounts {
    /// Rows read (non-blank rows below the header).
    pub rows_read: i64,
    pub to_create: i64,
    pub to_update: i64,
    pub unchanged: i64,
    /// Rows with at least one problem.
    pub rejected: i64,
}

/// A file checked row by row: the counts, every problem, and the work for a real run.
pub struct Plan<W> {
    pub counts: ImportCounts,
    pub problems: Vec<ImportProblem>,
    pub work: Vec<W>,
}

/// Why a file could not be checked row by row.
#[derive(Debug)]
pub enum PlanError {
    /// The file as a whole is unusable (missing or unknown columns).
    File(Vec<ImportProblem>),
    /// Storage or another internal failure.
    Api(ApiError),
}

impl From<ApiError> for PlanError {
    fn from(error: ApiError) -> Self {
        PlanError::Api(error)
    }
}

impl From<klinik_persistence::StoreError> for PlanError {
    fn from(error: klinik_persistence::StoreError) -> Self {
        PlanError::Api(error.into())
    }
}

impl From<Vec<ImportProblem>> for PlanError {
    fn from(problems: Vec<ImportProblem>) -> Self {
        PlanError::File(problems)
    }
}

/// Collects what each row turned out to be.
pub struct PlanBuilder<W> {
    plan: Plan<W>,
}

pub enum RowOutcome<W> {
    Create(W),
    Update(W),
    Unchanged,
    Rejected(Vec<ImportProblem>),
}

impl<W> PlanBuilder<W> {
    pub fn new(rows_read: usize) -> Self {
        PlanBuilder {
            plan: Plan {
                counts: ImportCounts {
                    rows_read: rows_read as i64,
                    ..Default::default()
                },
                problems: Vec::new(),
                work: Vec::new(),
            },
        }
    }

    pub fn add(&mut self, outcome: RowOutcome<W>) {
        let counts = &mut self.plan.counts;
        match outcome {
            RowOutcome::Create(work) => {
                counts.to_create += 1;
                self.plan.work.push(work);
            }
            RowOutcome::Update(work) => {
                counts.to_update += 1;
                self.plan.work.push(work);
            }
            RowOutcome::Unchanged => counts.unchanged += 1,
            RowOutcome::Rejected(problems) => {
                counts.rejected += 1;
                self.plan.problems.extend(problems);
            }
        }
    }

    pub fn finish(self) -> Plan<W> {
        self.plan
    }
}

/// Plans every row of `table` (`rows`: its [`row_cells`]) with `each`, which gets the row's
/// number, its cells and a maker of problems at a layout column of that row (`usize::MAX`: the
/// whole row).
pub fn plan_rows<W>(
    table: &Table,
    headers: &HeaderMap,
    columns: &[Column],
    rows: Vec<Vec<Option<String>>>,
    mut each: impl FnMut(
        usize,
        Vec<Option<String>>,
        &dyn Fn(usize, &str, &str) -> ImportProblem,
    ) -> Result<RowOutcome<W>, ApiError>,
) -> Result<Plan<W>, ApiError> {
    let mut builder = PlanBuilder::new(rows.len());
    for (row, cells) in table.rows.iter().zip(rows) {
        let at = |c: usize, code: &str, message: &str| {
            let column = (c < columns.len()).then(|| headers.header(columns, c));
            ImportProblem::row(row.number, column, code, message)
        };
        builder.add(each(row.number, cells, &at)?);
    }
    Ok(builder.finish())
}

/// Finds the rows that repeat a natural key already seen higher up in the file.
#[derive(Default)]
pub struct SeenKeys(HashMap<String, usize>);

impl SeenKeys {
    /// `Some(first_row)` when `key` was already used by an earlier row.
    pub fn repeat(&mut self, key: String, row: usize) -> Option<usize> {
        match self.0.get(&key) {
            Some(first) => Some(*first),
            None => {
                self.0.insert(key, row);
                None
            }
        }
    }
}

/// The cells of every row, one per layout column, `None` where the file lacks the column.
pub fn row_cells(
    table: &Table,
    headers: &HeaderMap,
    columns: &[Column],
) -> Vec<Vec<Option<String>>> {
    table
        .rows
        .iter()
        .map(|row| {
            (0..columns.len())
                .map(|c| headers.cell(row, c).map(str::to_owned))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_in_either_language_whatever_the_spelling() {
        assert_eq!(normalise(" Nama Usaha "), "nama_usaha");
        assert_eq!(normalise("Owner-NIK"), "owner_nik");
        assert_eq!(
            normalise("Tanggal Lahir (Pemilik)"),
            "tanggal_lahir_pemilik"
        );
    }

    #[test]
    fn cells_read_as_their_column_kind() {
        assert_eq!(
            cell_value(CellKind::Integer, "12"),
            Ok(Some(Value::from(12)))
        );
        assert!(cell_value(CellKind::Integer, "1.000").is_err());
        assert_eq!(
            cell_value(CellKind::Bool, "Ya"),
            Ok(Some(Value::Bool(true)))
        );
        assert_eq!(
            cell_value(CellKind::Date, "05/01/1990"),
            Ok(Some(Value::String("1990-01-05".into())))
        );
        assert!(cell_value(CellKind::Date, "1990-13-01").is_err());
        assert_eq!(cell_value(CellKind::Text, ""), Ok(None));
    }
}
