//! The PDRB layout of `POST /api/v1/imports` (`kind=economy_years`): one row per year as BPS
//! publishes it, checked by the same rules as `POST /api/v1/economy/years`; a year already
//! entered is corrected (its columns the file lacks keep their stored values).

use std::collections::HashMap;

use klinik_persistence::economy::{self as store, EconomyYearRow};

use super::{CreateEconomyYear, new_fields, published_share_of, violations};
use crate::prelude::*;
use crate::registry::imports::CellKind::{Integer, Text};
use crate::registry::imports::{
    Column, HeaderMap, ImportProblem, Importer, Plan, PlanError, RowOutcome, SeenKeys,
    cell_changes, merge_stored, plan_rows, present, row_cells, text, to_request,
    violations_to_problems,
};
use crate::spreadsheet::Table;

pub const COLUMNS: &[Column] = &[
    Column::new("year", "tahun", Integer, "year").required(),
    Column::new(
        "pdrb_current_prices",
        "pdrb_adhb",
        Integer,
        "pdrb_current_prices",
    ),
    Column::new(
        "pdrb_constant_prices",
        "pdrb_adhk",
        Integer,
        "pdrb_constant_prices",
    ),
    Column::new("pdrb_source", "sumber_pdrb", Text, "pdrb_source"),
    Column::new("pdrb_status", "status_pdrb", Text, "pdrb_status"),
    Column::new(
        "published_share_percent",
        "porsi_kumkm_persen",
        Text,
        "published_share.percent",
    ),
    Column::new(
        "published_share_scope",
        "cakupan_porsi",
        Text,
        "published_share.scope",
    ),
    Column::new(
        "published_share_source",
        "sumber_porsi",
        Text,
        "published_share.source",
    ),
];

const YEAR: usize = 0;

/// A stored year as cells of the layout.
pub fn cells(row: &EconomyYearRow) -> Vec<String> {
    let share = published_share_of(row);
    vec![
        row.year.to_string(),
        row.pdrb_current_prices.to_string(),
        row.pdrb_constant_prices.to_string(),
        row.pdrb_source.clone(),
        row.pdrb_status.as_str().to_owned(),
        text(
            share
                .as_ref()
                .map(|s| s.percent.normalize().to_string())
                .as_deref(),
        ),
        text(share.as_ref().map(|s| s.scope.as_str())),
        text(share.as_ref().map(|s| s.source.as_str())),
    ]
}

pub struct Work {
    /// The stored year's id and version, when the row corrects one.
    existing: Option<(i64, i64)>,
    fields: klinik_persistence::economy::EconomyYearFields,
    before: Option<Vec<String>>,
    after: Vec<String>,
}

pub struct EconomyYearImporter;

impl Importer for EconomyYearImporter {
    type Work = Work;
    const COLUMNS: &'static [Column] = COLUMNS;

    fn plan(conn: &mut AnyConnection, _: &App, table: &Table) -> Result<Plan<Work>, PlanError> {
        let headers = HeaderMap::new(COLUMNS, &table.headers)?;
        let rows = row_cells(table, &headers, COLUMNS);
        // Every year on record: at most one per year since 2000.
        let (stored, _) = store::list(conn, None, None, 1_000, 0).map_err(Error::from)?;
        let known: HashMap<i32, EconomyYearRow> =
            stored.into_iter().map(|row| (row.year, row)).collect();
        let mut seen = SeenKeys::default();
        Ok(plan_rows(
            table,
            &headers,
            COLUMNS,
            rows,
            |number, cells, at| Ok(plan_row(&known, &mut seen, number, cells, at)),
        )?)
    }

    fn apply(conn: &mut AnyConnection, _: &App, ctx: &Ctx, work: Vec<Work>) -> Result<(), Error> {
        let mut events = Vec::new();
        for item in work {
            let (action, id) = match item.existing {
                None => ("create", store::insert(conn, item.fields.clone())?.id),
                Some((id, version)) => {
                    store::update(conn, item.fields.year, version, item.fields.clone())?;
                    ("update", id)
                }
            };
            events.push((
                action,
                id.to_string(),
                cell_changes(COLUMNS, item.before.as_deref(), &item.after),
            ));
        }
        versioned::committed_many(conn, ctx, super::EconomyYearEntity::KIND, events)
    }
}

fn plan_row(
    known: &HashMap<i32, EconomyYearRow>,
    seen: &mut SeenKeys,
    number: usize,
    mut cells: Vec<Option<String>>,
    at: &dyn Fn(usize, &str, Message) -> ImportProblem,
) -> RowOutcome<Work> {
    let reject = |p: ImportProblem| RowOutcome::Rejected(vec![p]);
    let Some(year) = present(&cells, YEAR).and_then(|y| y.parse::<i32>().ok()) else {
        return reject(at(YEAR, "not_an_integer", msg!("must be a year")));
    };
    if let Some(first) = seen.repeat(year.to_string(), number) {
        return reject(at(
            YEAR,
            "duplicate_key",
            msg!("repeats the year of row %{first}", first = first),
        ));
    }
    let existing = known.get(&year);
    let before = existing.map(self::cells);
    if let Some(before) = &before {
        merge_stored(&mut cells, before);
    }
    let request: CreateEconomyYear = match to_request(COLUMNS, &cells, at) {
        Ok(request) => request,
        Err(problems) => return RowOutcome::Rejected(problems),
    };
    let (fields, share) = new_fields(request);
    let broken = violations(&fields, share.as_ref());
    if !broken.is_empty() {
        return RowOutcome::Rejected(violations_to_problems(broken, COLUMNS, at));
    }
    let after: Vec<String> = cells.into_iter().map(Option::unwrap_or_default).collect();
    match existing {
        None => RowOutcome::Create(Work {
            existing: None,
            fields,
            before,
            after,
        }),
        Some(row) if row.fields() == fields => RowOutcome::Unchanged,
        Some(row) => RowOutcome::Update(Work {
            existing: Some((row.id, row.version)),
            fields,
            before,
            after,
        }),
    }
}
