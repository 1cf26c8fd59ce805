//! The yearly-figures layout: one row per UKM and year, the UKM named as in its own layout — by
//! NIB, or else by the owner's NIK with the business name.

use std::collections::HashMap;

use klinik_domain::nik;
use klinik_persistence::persons::{self, PersonRow};
use klinik_persistence::ukm::{self as store, UkmRow, YearlyFigures, YearlyFiguresRow};

use super::CellKind::{Integer, Text};
use super::{
    Column, HeaderMap, ImportProblem, Importer, Plan, PlanError, RowOutcome, SeenKeys,
    cell_changes, merge_stored, number, present, text, to_request, violations_to_problems,
};
use crate::personal_data::DataKey;
use crate::prelude::*;
use crate::registry::ukm::figures::{CreateYearlyFigures, check_figures};
use crate::spreadsheet::Table;

pub const COLUMNS: &[Column] = &[
    Column::new("nib", "nib", Text, ""),
    Column::new("owner_nik", "nik_pemilik", Text, "").personal(),
    Column::new("business_name", "nama_usaha", Text, ""),
    Column::new("year", "tahun", Integer, "year").required(),
    Column::new("turnover", "omzet", Integer, "turnover"),
    Column::new("workers", "jumlah_tenaga_kerja", Integer, "workers"),
    Column::new("assets", "aset", Integer, "assets"),
];

const NIB: usize = 0;
const OWNER_NIK: usize = 1;
const BUSINESS_NAME: usize = 2;
const YEAR: usize = 3;

/// One year's figures as cells; `nik` is the owner's NIK as the reader may see it.
pub fn cells(ukm: &UkmRow, nik: &str, f: &YearlyFiguresRow) -> Vec<String> {
    vec![
        text(ukm.nib.as_deref()),
        nik.to_owned(),
        ukm.business_name.clone(),
        f.year.to_string(),
        number(f.turnover),
        number(f.workers),
        number(f.assets),
    ]
}

pub struct Work {
    ukm_id: UkmId,
    existing: Option<(i64, i64)>,
    figures: YearlyFigures,
    before: Option<Vec<String>>,
    after: Vec<String>,
}

struct Known {
    by_nib: HashMap<String, UkmRow>,
    by_owner_and_name: HashMap<(String, String), UkmRow>,
    figures: HashMap<(UkmId, i32), YearlyFiguresRow>,
}

fn load_known(
    conn: &mut AnyConnection,
    key: &DataKey,
    rows: &[Vec<Option<String>>],
) -> Result<Known, Error> {
    let nibs: Vec<String> = rows.iter().filter_map(|r| present(r, NIB)).collect();
    let hashes: Vec<String> = rows
        .iter()
        .filter_map(|r| present(r, OWNER_NIK))
        .filter(|n| nik::validate("", n).is_ok())
        .flat_map(|n| key.search_hashes(&n))
        .collect();
    let people: Vec<PersonRow> = persons::find_by_nik_hashes(conn, &hashes)?;
    // Keyed by the current key's hash, as the file's rows are, even for a person whose stored
    // hash is still a previous key's (during a key rotation).
    let mut hash_of: HashMap<PersonId, String> = HashMap::new();
    for person in &people {
        if let Some(nik) = &person.nik_encrypted {
            hash_of.insert(person.id, key.search_hash(&key.decrypt(nik)?));
        }
    }
    let owner_ids: Vec<PersonId> = hash_of.keys().copied().collect();
    let by_nib: HashMap<String, UkmRow> = store::find_by_nibs(conn, &nibs)?
        .into_iter()
        .filter_map(|r| Some((r.nib.clone()?, r)))
        .collect();
    let by_owner_and_name: HashMap<(String, String), UkmRow> =
        store::find_by_owners(conn, &owner_ids)?
            .into_iter()
            .filter_map(|r| {
                Some((
                    (hash_of.get(&r.owner_id)?.clone(), r.business_name.clone()),
                    r,
                ))
            })
            .collect();
    let ukm_ids: Vec<UkmId> = by_nib
        .values()
        .chain(by_owner_and_name.values())
        .map(|u| u.id)
        .collect();
    let figures = store::figures_of(conn, &ukm_ids)?
        .into_iter()
        .map(|f| ((f.ukm_id, f.year), f))
        .collect();
    Ok(Known {
        by_nib,
        by_owner_and_name,
        figures,
    })
}

pub struct YearlyFiguresImporter;

impl Importer for YearlyFiguresImporter {
    type Work = Work;
    const COLUMNS: &'static [Column] = COLUMNS;

    fn plan(conn: &mut AnyConnection, state: &App, table: &Table) -> Result<Plan<Work>, PlanError> {
        let headers = HeaderMap::new(COLUMNS, &table.headers)?;
        let names_ukm = headers.has(NIB) || (headers.has(OWNER_NIK) && headers.has(BUSINESS_NAME));
        if !names_ukm {
            return Err(PlanError::File(vec![ImportProblem::row(
                1,
                None,
                "missing_key_column",
                msg!(
                    "the file needs a `nib` column, or `owner_nik` with `business_name`, to find each UKM"
                ),
            )]));
        }
        let rows = super::row_cells(table, &headers, COLUMNS);
        let known = load_known(conn, &state.data_key, &rows)?;
        let mut seen = SeenKeys::default();
        Ok(super::plan_rows(
            table,
            &headers,
            COLUMNS,
            rows,
            |number, cells, at| Ok(plan_row(state, &known, &mut seen, number, cells, at)),
        )?)
    }

    fn apply(
        conn: &mut AnyConnection,
        _state: &App,
        ctx: &Ctx,
        work: Vec<Work>,
    ) -> Result<(), Error> {
        let mut events = Vec::new();
        for item in work {
            let (action, id) = match item.existing {
                None => (
                    "create",
                    store::insert_figures(conn, item.ukm_id, &item.figures)?.id,
                ),
                Some((id, version)) => {
                    store::figures::update(conn, id, version, &item.figures)?;
                    ("update", id)
                }
            };
            events.push((
                action,
                id.to_string(),
                cell_changes(COLUMNS, item.before.as_deref(), &item.after),
            ));
        }
        versioned::committed_many(conn, ctx, "ukm_yearly_figures", events)?;
        Ok(())
    }
}

fn plan_row(
    state: &App,
    known: &Known,
    seen: &mut SeenKeys,
    number: usize,
    mut cells: Vec<Option<String>>,
    at: &dyn Fn(usize, &str, Message) -> ImportProblem,
) -> RowOutcome<Work> {
    let reject = |p: ImportProblem| RowOutcome::Rejected(vec![p]);
    let nib = present(&cells, NIB);
    let owner = present(&cells, OWNER_NIK)
        .filter(|n| nik::validate("", n).is_ok())
        .map(|n| state.data_key.search_hash(&n))
        .zip(present(&cells, BUSINESS_NAME));
    let ukm = match (&nib, owner) {
        (Some(nib), _) => known.by_nib.get(nib),
        (None, Some(key)) => known.by_owner_and_name.get(&key),
        (None, None) => {
            return reject(at(
                NIB,
                "natural_key_missing",
                msg!("a row needs the UKM's NIB, or the owner's NIK with the business name"),
            ));
        }
    };
    let Some(ukm) = ukm.filter(|u| u.archived_at.is_none()) else {
        return reject(at(
            if nib.is_some() { NIB } else { OWNER_NIK },
            "unknown_ukm",
            msg!("does not name a registered UKM"),
        ));
    };
    let Some(year) = present(&cells, YEAR).and_then(|y| y.parse::<i32>().ok()) else {
        return reject(at(YEAR, "not_an_integer", msg!("must be a year")));
    };
    if let Some(first) = seen.repeat(format!("{}:{year}", ukm.id), number) {
        return reject(at(
            YEAR,
            "duplicate_key",
            msg!("repeats the figures of row %{first}", first = first),
        ));
    }
    let existing = known.figures.get(&(ukm.id, year));
    // The key cells stay as written; only the figures merge with the stored ones.
    let before = existing.map(|f| {
        let mut stored = cells_of_row(&cells, ukm, f);
        stored.truncate(COLUMNS.len());
        stored
    });
    if let Some(before) = &before {
        merge_stored(&mut cells, before);
    }
    let request: CreateYearlyFigures = match to_request(COLUMNS, &cells, at) {
        Ok(request) => request,
        Err(problems) => return RowOutcome::Rejected(problems),
    };
    let violations = check_figures(&request);
    if !violations.is_empty() {
        return RowOutcome::Rejected(violations_to_problems(violations, COLUMNS, at));
    }
    let figures = YearlyFigures {
        year: request.year,
        turnover: request.turnover,
        workers: request.workers,
        assets: request.assets,
    };
    let after: Vec<String> = cells.into_iter().map(Option::unwrap_or_default).collect();
    let work = |existing| Work {
        ukm_id: ukm.id,
        existing,
        figures: figures.clone(),
        before: before.clone(),
        after: after.clone(),
    };
    match existing {
        None => RowOutcome::Create(work(None)),
        Some(f)
            if (f.turnover, f.workers, f.assets)
                == (figures.turnover, figures.workers, figures.assets) =>
        {
            RowOutcome::Unchanged
        }
        Some(f) => RowOutcome::Update(work(Some((f.id, f.version)))),
    }
}

/// The stored figures in the row's own key cells (the NIK as written, never decrypted here).
fn cells_of_row(row: &[Option<String>], ukm: &UkmRow, f: &YearlyFiguresRow) -> Vec<String> {
    let nik = row[OWNER_NIK].clone().unwrap_or_default();
    let mut cells = cells(ukm, &nik, f);
    cells[NIB] = row[NIB].clone().unwrap_or_default();
    cells[BUSINESS_NAME] = row[BUSINESS_NAME].clone().unwrap_or_default();
    cells
}
