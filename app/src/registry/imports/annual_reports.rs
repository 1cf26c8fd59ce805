//! The annual-report layout: one row per cooperative and book year, the cooperative named by its
//! registration number. Applying a file recomputes the activity status of every cooperative whose
//! reports it changed.

use std::collections::{BTreeSet, HashMap};

use chrono::Utc;
use klinik_persistence::annual_reports::{self as store, AnnualReportFields, AnnualReportRow};
use klinik_persistence::cooperatives::{self, CooperativeRow};

use super::CellKind::{Bool, Date, Integer, Text};
use super::{
    Column, HeaderMap, ImportProblem, Importer, Plan, PlanError, RowOutcome, SeenKeys,
    cell_changes, flag, merge_stored, number, present, text, to_request, violations_to_problems,
};
use crate::prelude::*;
use crate::registry::annual_reports::model::{CreateAnnualReport, validate};
use crate::registry::cooperatives::status::refresh as refresh_status;
use crate::spreadsheet::Table;

pub const COLUMNS: &[Column] = &[
    Column::new("registration_number", "nomor_induk_koperasi", Text, "").required(),
    Column::new("book_year", "tahun_buku", Integer, "book_year").required(),
    Column::new("rat_held", "rat_dilaksanakan", Bool, "rat_held").required(),
    Column::new("rat_date", "tanggal_rat", Date, "rat_date"),
    Column::new("reported_date", "tanggal_laporan", Date, "reported_date"),
    Column::new("members_male", "anggota_laki_laki", Integer, "members_male"),
    Column::new(
        "members_female",
        "anggota_perempuan",
        Integer,
        "members_female",
    ),
    Column::new("managers", "pengurus", Integer, "managers"),
    Column::new("employees", "karyawan", Integer, "employees"),
    Column::new("own_capital", "modal_sendiri", Integer, "own_capital"),
    Column::new("outside_capital", "modal_luar", Integer, "outside_capital"),
    Column::new("assets", "aset", Integer, "assets"),
    Column::new(
        "business_volume",
        "volume_usaha",
        Integer,
        "business_volume",
    ),
    Column::new("shu", "shu", Integer, "shu"),
];

const REGISTRATION_NUMBER: usize = 0;
const BOOK_YEAR: usize = 1;

/// A report as cells of the layout.
pub fn cells(registration_number: Option<&str>, r: &AnnualReportRow) -> Vec<String> {
    let date = |d: Option<chrono::NaiveDate>| number(d.map(|d| d.format("%Y-%m-%d")));
    vec![
        text(registration_number),
        r.book_year.to_string(),
        flag(r.rat_held),
        date(r.rat_date),
        date(r.reported_date),
        number(r.members_male),
        number(r.members_female),
        number(r.managers),
        number(r.employees),
        number(r.own_capital),
        number(r.outside_capital),
        number(r.assets),
        number(r.business_volume),
        number(r.shu),
    ]
}

pub struct Work {
    cooperative_id: CooperativeId,
    existing: Option<(AnnualReportId, i64)>,
    fields: AnnualReportFields,
    before: Option<Vec<String>>,
    after: Vec<String>,
}

struct Known {
    cooperatives: HashMap<String, CooperativeRow>,
    reports: HashMap<(CooperativeId, i32), AnnualReportRow>,
}

pub struct AnnualReportImporter;

impl Importer for AnnualReportImporter {
    type Work = Work;
    const COLUMNS: &'static [Column] = COLUMNS;

    fn plan(
        conn: &mut AnyConnection,
        _state: &App,
        table: &Table,
    ) -> Result<Plan<Work>, PlanError> {
        let headers = HeaderMap::new(COLUMNS, &table.headers)?;
        let rows = super::row_cells(table, &headers, COLUMNS);
        let numbers: Vec<String> = rows
            .iter()
            .filter_map(|r| present(r, REGISTRATION_NUMBER))
            .collect();
        let cooperatives: HashMap<String, CooperativeRow> =
            cooperatives::find_by_registration_numbers(conn, &numbers)?
                .into_iter()
                .filter_map(|r| Some((r.registration_number.clone()?, r)))
                .collect();
        let ids: Vec<CooperativeId> = cooperatives.values().map(|c| c.id).collect();
        let reports = store::find_by_cooperatives(conn, &ids)?
            .into_iter()
            .map(|r| ((r.cooperative_id, r.book_year), r))
            .collect();
        let known = Known {
            cooperatives,
            reports,
        };
        let mut seen = SeenKeys::default();
        Ok(super::plan_rows(
            table,
            &headers,
            COLUMNS,
            rows,
            |number, cells, at| Ok(plan_row(&known, &mut seen, number, cells, at)),
        )?)
    }

    fn apply(
        conn: &mut AnyConnection,
        state: &App,
        ctx: &Ctx,
        work: Vec<Work>,
    ) -> Result<(), Error> {
        let mut touched = BTreeSet::new();
        let mut events = Vec::new();
        for item in work {
            let (action, id) = match item.existing {
                None => (
                    "create",
                    store::insert(conn, item.cooperative_id, &item.fields)?.id,
                ),
                Some((id, version)) => {
                    store::update(conn, id, version, &item.fields)?;
                    ("update", id)
                }
            };
            touched.insert(item.cooperative_id);
            events.push((
                action,
                id.to_string(),
                cell_changes(COLUMNS, item.before.as_deref(), &item.after),
            ));
        }
        versioned::committed_many(conn, ctx, "annual_report", events)?;
        for id in touched {
            let cooperative = cooperatives::find(conn, id, true)?;
            refresh_status(conn, state.activity_rule, &cooperative)?;
        }
        Ok(())
    }
}

fn plan_row(
    known: &Known,
    seen: &mut SeenKeys,
    number: usize,
    mut cells: Vec<Option<String>>,
    at: &dyn Fn(usize, &str, Message) -> ImportProblem,
) -> RowOutcome<Work> {
    let reject = |p: ImportProblem| RowOutcome::Rejected(vec![p]);
    let Some(registration_number) = present(&cells, REGISTRATION_NUMBER) else {
        return reject(at(
            REGISTRATION_NUMBER,
            "natural_key_missing",
            msg!("a row needs the cooperative's registration number"),
        ));
    };
    let Some(cooperative) = known
        .cooperatives
        .get(&registration_number)
        .filter(|c| c.archived_at.is_none())
    else {
        return reject(at(
            REGISTRATION_NUMBER,
            "unknown_cooperative",
            msg!("is not the registration number of a registered cooperative"),
        ));
    };
    let Some(book_year) = present(&cells, BOOK_YEAR).and_then(|y| y.parse::<i32>().ok()) else {
        return reject(at(BOOK_YEAR, "not_an_integer", msg!("must be a year")));
    };
    if let Some(first) = seen.repeat(format!("{registration_number}:{book_year}"), number) {
        return reject(at(
            BOOK_YEAR,
            "duplicate_key",
            msg!("repeats the report of row %{first}", first = first),
        ));
    }
    let existing = known.reports.get(&(cooperative.id, book_year));
    let before = existing.map(|r| self::cells(Some(&registration_number), r));
    if let Some(before) = &before {
        merge_stored(&mut cells, before);
    }
    let request: CreateAnnualReport = match to_request(COLUMNS, &cells, at) {
        Ok(request) => request,
        Err(problems) => return RowOutcome::Rejected(problems),
    };
    let fields = AnnualReportFields::from(request);
    if let Err(violations) = validate(&fields, Utc::now().date_naive()) {
        return RowOutcome::Rejected(violations_to_problems(violations, COLUMNS, at));
    }
    let after: Vec<String> = cells.into_iter().map(Option::unwrap_or_default).collect();
    let work = |existing| Work {
        cooperative_id: cooperative.id,
        existing,
        fields: fields.clone(),
        before: before.clone(),
        after: after.clone(),
    };
    match existing {
        None => RowOutcome::Create(work(None)),
        Some(row) if AnnualReportFields::from(row) == fields => RowOutcome::Unchanged,
        Some(row) => RowOutcome::Update(work(Some((row.id, row.version)))),
    }
}
