//! The layout of a kind of spreadsheet: its columns, how a file's headers map to them, and how a
//! row's cells become the create request of that kind (and a record becomes cells again).

use chrono::NaiveDate;
use klinik_domain::Violations;
use klinik_domain::{Message, msg};
use serde_json::{Map, Value, json};

use super::ImportProblem;
use crate::audit::MASK;
use crate::spreadsheet::Row;

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
                    msg!("is not a column of this kind of import"),
                ));
                continue;
            };
            if positions[found].is_some() {
                problems.push(ImportProblem::row(
                    1,
                    Some(header),
                    "duplicate_column",
                    msg!("appears more than once (in English or Indonesian)"),
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
                    message: msg!(
                        "the file needs this column (or its Indonesian name `%{indonesian}`)",
                        indonesian = column.indonesian
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
fn cell_value(kind: CellKind, text: &str) -> Result<Option<Value>, (&'static str, Message)> {
    if text.is_empty() {
        return Ok(None);
    }
    let value = match kind {
        CellKind::Text => Value::String(text.to_owned()),
        CellKind::Integer => text.parse::<i64>().map(Value::from).map_err(|_| {
            (
                "not_an_integer",
                msg!("must be a whole number without separators"),
            )
        })?,
        CellKind::Bool => match text.to_lowercase().as_str() {
            "true" | "ya" | "yes" | "1" => Value::Bool(true),
            "false" | "tidak" | "no" | "0" => Value::Bool(false),
            _ => return Err(("not_a_boolean", msg!("must be ya/tidak (or true/false)"))),
        },
        CellKind::Date => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
            .map(|d| Value::String(d.format("%Y-%m-%d").to_string()))
            .map_err(|_| {
                (
                    "not_a_date",
                    msg!("must be a date as YYYY-MM-DD or DD/MM/YYYY"),
                )
            })?,
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
    problem_at: &dyn Fn(usize, &str, Message) -> ImportProblem,
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
            ("required", msg!("is required"))
        } else {
            ("invalid_value", msg!("is not one of the allowed values"))
        };
        let column = columns.iter().position(|c| c.path == path).or_else(|| {
            // A missing field is reported at its parent: name its own column, else the first
            // column under the parent.
            let missing = error.inner().to_string();
            let field = missing.split('`').nth(1).unwrap_or_default();
            let full = if path == "." {
                field.to_owned()
            } else {
                format!("{path}.{field}")
            };
            columns.iter().position(|c| c.path == full).or_else(|| {
                columns
                    .iter()
                    .position(|c| c.path.starts_with(&format!("{path}.")))
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
    problem_at: &dyn Fn(usize, &str, Message) -> ImportProblem,
) -> Vec<ImportProblem> {
    violations
        .0
        .into_iter()
        .map(|v| {
            let index = columns
                .iter()
                .position(|c| c.path == v.field)
                .unwrap_or(usize::MAX);
            problem_at(index, v.code, v.message)
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
