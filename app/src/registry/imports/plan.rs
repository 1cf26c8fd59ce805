//! Checking a file row by row: what each row would do, every problem by row and column, and the
//! counts an import reports.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::layout::{Column, HeaderMap};
use crate::prelude::*;
use crate::spreadsheet::{FileProblem, Table};

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
    /// Explanation for people; never repeats the value. A recorded import keeps it in English,
    /// as it was written when the file was checked.
    #[serde(serialize_with = "english", deserialize_with = "as_written")]
    #[schema(value_type = String)]
    pub message: Message,
}

fn english<S: serde::Serializer>(message: &Message, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&message.english())
}

fn as_written<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Message, D::Error> {
    <String as serde::Deserialize>::deserialize(deserializer).map(Message::verbatim)
}

impl ImportProblem {
    pub fn row(row: usize, column: Option<&str>, code: &str, message: Message) -> Self {
        ImportProblem {
            row: Some(row),
            column: column.map(str::to_owned),
            code: code.to_owned(),
            message,
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
    Api(Error),
}

impl From<Error> for PlanError {
    fn from(error: Error) -> Self {
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
        &dyn Fn(usize, &str, Message) -> ImportProblem,
    ) -> Result<RowOutcome<W>, Error>,
) -> Result<Plan<W>, Error> {
    let mut builder = PlanBuilder::new(rows.len());
    for (row, cells) in table.rows.iter().zip(rows) {
        let at = |c: usize, code: &str, message: Message| {
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
