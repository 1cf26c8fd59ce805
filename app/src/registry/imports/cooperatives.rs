//! The cooperative layout: one row per cooperative, matched by its registration number (nomor
//! induk koperasi). The board and the activity status are not in the sheet: the board is managed
//! per cooperative, and the status follows from the annual reports.

use std::collections::HashMap;

use klinik_persistence::cooperatives::{self as store, CooperativeFields, CooperativeRow};

use super::CellKind::{Bool, Date, Text};
use super::{
    Column, HeaderMap, ImportProblem, Importer, Plan, PlanError, RowOutcome, SeenKeys,
    cell_changes, flag, merge_stored, number, present, text, to_request, violations_to_problems,
};
use crate::prelude::*;
use crate::registry::cooperatives::duplicate;
use crate::registry::cooperatives::model::CreateCooperative;
use crate::registry::cooperatives::status::initial as initial_status;
use crate::spreadsheet::Table;

pub const COLUMNS: &[Column] = &[
    Column::new(
        "registration_number",
        "nomor_induk_koperasi",
        Text,
        "registration_number",
    )
    .required(),
    Column::new("name", "nama_koperasi", Text, "name").required(),
    Column::new(
        "legal_entity_number",
        "nomor_badan_hukum",
        Text,
        "legal_entity_number",
    ),
    Column::new(
        "legal_entity_date",
        "tanggal_badan_hukum",
        Date,
        "legal_entity_date",
    ),
    Column::new("form", "bentuk", Text, "form").required(),
    Column::new("type", "jenis", Text, "type").required(),
    Column::new(
        "management_pattern",
        "pola_pengelolaan",
        Text,
        "management_pattern",
    ),
    Column::new(
        "savings_and_loan",
        "usaha_simpan_pinjam",
        Bool,
        "savings_and_loan",
    ),
    Column::new("nib", "nib", Text, "nib"),
    Column::new("npwp", "npwp", Text, "npwp"),
    Column::new(
        "membership_area",
        "wilayah_keanggotaan",
        Text,
        "membership_area",
    ),
    Column::new("street", "alamat", Text, "street"),
    Column::new("rt_rw", "rt_rw", Text, "rt_rw"),
    Column::new("kelurahan_code", "kode_kelurahan", Text, "kelurahan_code").required(),
    Column::new("postal_code", "kode_pos", Text, "postal_code"),
    Column::new("phone", "telepon", Text, "phone"),
    Column::new("email", "email", Text, "email"),
];

const REGISTRATION_NUMBER: usize = 0;

/// A cooperative as cells of the layout (no personal data: phone and e-mail are the office's).
pub fn cells(row: &CooperativeRow) -> Vec<String> {
    vec![
        text(row.registration_number.as_deref()),
        row.name.clone(),
        text(row.legal_entity_number.as_deref()),
        number(row.legal_entity_date.map(|d| d.format("%Y-%m-%d"))),
        row.form.as_str().to_owned(),
        row.cooperative_type.as_str().to_owned(),
        row.management_pattern.as_str().to_owned(),
        flag(row.savings_and_loan),
        text(row.nib.as_deref()),
        text(row.npwp.as_deref()),
        row.membership_area.as_str().to_owned(),
        text(row.street.as_deref()),
        text(row.rt_rw.as_deref()),
        row.kelurahan_code.clone(),
        text(row.postal_code.as_deref()),
        text(row.phone.as_deref()),
        text(row.email.as_deref()),
    ]
}

/// The change one row makes.
pub struct Work {
    existing: Option<(CooperativeId, i64)>,
    fields: CooperativeFields,
    before: Option<Vec<String>>,
    after: Vec<String>,
}

pub struct CooperativeImporter;

impl Importer for CooperativeImporter {
    type Work = Work;
    const COLUMNS: &'static [Column] = COLUMNS;

    fn plan(conn: &mut AnyConnection, state: &App, table: &Table) -> Result<Plan<Work>, PlanError> {
        let headers = HeaderMap::new(COLUMNS, &table.headers)?;
        let rows = super::row_cells(table, &headers, COLUMNS);
        let numbers: Vec<String> = rows
            .iter()
            .filter_map(|r| present(r, REGISTRATION_NUMBER))
            .collect();
        let known: HashMap<String, CooperativeRow> =
            store::find_by_registration_numbers(conn, &numbers)?
                .into_iter()
                .filter_map(|r| Some((r.registration_number.clone()?, r)))
                .collect();
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
        state: &App,
        ctx: &Ctx,
        work: Vec<Work>,
    ) -> Result<(), Error> {
        let status = initial_status(state.activity_rule);
        let mut events = Vec::new();
        for item in work {
            let (action, id) = match item.existing {
                None => (
                    "create",
                    store::insert(conn, item.fields, &status)
                        .map_err(duplicate)?
                        .id,
                ),
                Some((id, version)) => {
                    store::update(conn, id, version, item.fields.into()).map_err(duplicate)?;
                    ("update", id)
                }
            };
            events.push((
                action,
                id.to_string(),
                cell_changes(COLUMNS, item.before.as_deref(), &item.after),
            ));
        }
        versioned::committed_many(conn, ctx, "cooperative", events)?;
        Ok(())
    }
}

fn plan_row(
    state: &App,
    known: &HashMap<String, CooperativeRow>,
    seen: &mut SeenKeys,
    number: usize,
    mut cells: Vec<Option<String>>,
    at: &dyn Fn(usize, &str, Message) -> ImportProblem,
) -> RowOutcome<Work> {
    let reject = |p: ImportProblem| RowOutcome::Rejected(vec![p]);
    let Some(key) = present(&cells, REGISTRATION_NUMBER) else {
        return reject(at(
            REGISTRATION_NUMBER,
            "natural_key_missing",
            msg!("a row needs the registration number to be matched on a later import"),
        ));
    };
    if let Some(first) = seen.repeat(key.clone(), number) {
        return reject(at(
            REGISTRATION_NUMBER,
            "duplicate_key",
            msg!("repeats the cooperative of row %{first}", first = first),
        ));
    }
    let existing = known.get(&key);
    if existing.is_some_and(|r| r.archived_at.is_some()) {
        return reject(at(
            REGISTRATION_NUMBER,
            "archived_record",
            msg!("matches an archived cooperative; restore it before importing it"),
        ));
    }
    let before = existing.map(self::cells);
    if let Some(before) = &before {
        merge_stored(&mut cells, before);
    }
    let request: CreateCooperative = match to_request(COLUMNS, &cells, at) {
        Ok(request) => request,
        Err(problems) => return RowOutcome::Rejected(problems),
    };
    let fields = match request.into_fields(&state.regions) {
        Ok((fields, _board)) => fields,
        Err(violations) => {
            return RowOutcome::Rejected(violations_to_problems(violations, COLUMNS, at));
        }
    };
    let after: Vec<String> = cells.into_iter().map(Option::unwrap_or_default).collect();
    match existing {
        None => RowOutcome::Create(Work {
            existing: None,
            fields,
            before,
            after,
        }),
        Some(row) if CooperativeFields::from(row) == fields => RowOutcome::Unchanged,
        Some(row) => RowOutcome::Update(Work {
            existing: Some((row.id, row.version)),
            fields,
            before,
            after,
        }),
    }
}
