//! The UKM layout: one row per business with its owner. Rows match existing UKM by NIB, or
//! else by the owner's NIK together with the business name.

mod apply;
mod known;

use known::{Known, load_known};

use std::collections::HashMap;

use chrono::{Datelike, Utc};
use klinik_domain::nik;
use klinik_persistence::persons::PersonFields;
use klinik_persistence::ukm::{UkmFields, UkmRow};

use super::CellKind::{Bool, Date, Integer, Text};
use super::{
    Column, HeaderMap, ImportProblem, Importer, Plan, PlanError, RowOutcome, SeenKeys, flag,
    merge_stored, number, text, to_request, violations_to_problems,
};
use crate::personal_data::{ClearPerson, mask_phone};
use crate::prelude::*;
use crate::registry::ukm::apply_size;
use crate::registry::ukm::model::{CreateUkm, check_business, check_owner, clear_owner};
use crate::spreadsheet::Table;

pub const COLUMNS: &[Column] = &[
    Column::new("business_name", "nama_usaha", Text, "business_name").required(),
    Column::new("owner_full_name", "nama_pemilik", Text, "owner.full_name").required(),
    Column::new("owner_nik", "nik_pemilik", Text, "owner.nik").personal(),
    Column::new("owner_sex", "jenis_kelamin_pemilik", Text, "owner.sex"),
    Column::new(
        "owner_birth_date",
        "tanggal_lahir_pemilik",
        Date,
        "owner.birth_date",
    )
    .personal(),
    Column::new("owner_phone", "telepon_pemilik", Text, "owner.phone").personal(),
    Column::new(
        "owner_home_address",
        "alamat_rumah_pemilik",
        Text,
        "owner.home_address",
    )
    .personal(),
    Column::new("nib", "nib", Text, "nib"),
    Column::new("kbli_code", "kode_kbli", Text, "kbli_code"),
    Column::new("kbli_version", "versi_kbli", Text, "kbli_version"),
    Column::new("sector", "sektor", Text, "sector").required(),
    Column::new(
        "business_capital",
        "modal_usaha",
        Integer,
        "business_capital",
    ),
    Column::new("annual_sales", "omzet_tahunan", Integer, "annual_sales"),
    Column::new("figures_date", "tanggal_data", Date, "figures_date"),
    Column::new("workers", "jumlah_tenaga_kerja", Integer, "workers"),
    Column::new("start_year", "tahun_mulai", Integer, "start_year"),
    Column::new("has_pirt", "punya_pirt", Bool, "has_pirt"),
    Column::new("has_halal", "punya_halal", Bool, "has_halal"),
    Column::new(
        "has_standard_certificate",
        "punya_sertifikat_standar",
        Bool,
        "has_standard_certificate",
    ),
    Column::new("npwp", "npwp", Text, "npwp"),
    Column::new("street", "alamat_usaha", Text, "street"),
    Column::new("kelurahan_code", "kode_kelurahan", Text, "kelurahan_code").required(),
    Column::new("cooperative_id", "id_koperasi", Integer, "cooperative_id"),
    Column::new("status", "status", Text, "status"),
];

const BUSINESS_NAME: usize = 0;
const OWNER_NIK: usize = 2;
const NIB: usize = 7;
const COOPERATIVE_ID: usize = 22;

/// A UKM and its owner as cells of the layout: in full for readers who may see personal data;
/// otherwise NIK and phone are masked and birth date and address left out.
pub fn cells(row: &UkmRow, owner: &ClearPerson, staff: bool) -> Vec<String> {
    let nik = owner.nik.as_deref().unwrap_or_default();
    let (nik, phone, birth, address) = if staff {
        (
            nik.to_owned(),
            text(owner.phone.as_deref()),
            number(owner.birth_date.map(|d| d.format("%Y-%m-%d"))),
            text(owner.home_address.as_deref()),
        )
    } else {
        (
            owner.nik.as_deref().map(nik::mask).unwrap_or_default(),
            owner.phone.as_deref().map(mask_phone).unwrap_or_default(),
            String::new(),
            String::new(),
        )
    };
    vec![
        row.business_name.clone(),
        owner.full_name.clone(),
        nik,
        text(owner.sex.map(|s| s.as_str())),
        birth,
        phone,
        address,
        text(row.nib.as_deref()),
        text(row.kbli_code.as_deref()),
        text(row.kbli_version.map(|v| v.as_str())),
        row.sector.as_str().to_owned(),
        number(row.business_capital),
        number(row.annual_sales),
        number(row.figures_date.map(|d| d.format("%Y-%m-%d"))),
        number(row.workers),
        number(row.start_year),
        flag(row.has_pirt),
        flag(row.has_halal),
        flag(row.has_standard_certificate),
        text(row.npwp.as_deref()),
        text(row.street.as_deref()),
        row.kelurahan_code.clone(),
        number(row.cooperative_id),
        row.status.as_str().to_owned(),
    ]
}

/// Who owns the business after the import.
#[derive(Debug, Clone)]
pub enum OwnerPlan {
    /// A registered person, changed when `update` is set.
    Existing {
        id: PersonId,
        update: Option<PersonFields>,
    },
    /// A new person; with a NIK, later rows with the same NIK reuse them.
    New {
        fields: PersonFields,
        nik_hash: Option<String>,
    },
}

/// The change one row makes.
#[derive(Debug, Clone)]
pub struct Work {
    existing: Option<(UkmId, i64)>,
    fields: UkmFields,
    owner: OwnerPlan,
    before: Option<Vec<String>>,
    after: Vec<String>,
}

/// The UKM registry as a spreadsheet kind.
pub struct UkmImporter;

impl Importer for UkmImporter {
    type Work = Work;
    const COLUMNS: &'static [Column] = COLUMNS;

    fn plan(conn: &mut AnyConnection, state: &App, table: &Table) -> Result<Plan<Work>, PlanError> {
        plan(conn, state, table)
    }

    fn apply(
        conn: &mut AnyConnection,
        _state: &App,
        ctx: &Ctx,
        work: Vec<Work>,
    ) -> Result<(), Error> {
        apply::apply(conn, ctx, work)
    }
}

fn plan(conn: &mut AnyConnection, state: &App, table: &Table) -> Result<Plan<Work>, PlanError> {
    let headers = HeaderMap::new(COLUMNS, &table.headers)?;
    if !headers.has(NIB) && !headers.has(OWNER_NIK) {
        return Err(PlanError::File(vec![ImportProblem::row(
            1,
            None,
            "missing_key_column",
            msg!("the file needs a `nib` or an `owner_nik` (nik_pemilik) column to match UKM"),
        )]));
    }
    let rows = super::row_cells(table, &headers, COLUMNS);
    let known = load_known(conn, &state.data_key, &rows)?;
    let year = Utc::now().year();
    let mut seen = SeenKeys::default();
    let mut owners_in_file: HashMap<String, (usize, ClearPerson)> = HashMap::new();
    Ok(super::plan_rows(
        table,
        &headers,
        COLUMNS,
        rows,
        |number, cells, at| {
            plan_row(
                state,
                &known,
                &mut seen,
                &mut owners_in_file,
                number,
                cells,
                year,
                at,
            )
        },
    )?)
}

#[allow(clippy::too_many_arguments)]
fn plan_row(
    state: &App,
    known: &Known,
    seen: &mut SeenKeys,
    owners_in_file: &mut HashMap<String, (usize, ClearPerson)>,
    number: usize,
    mut cells: Vec<Option<String>>,
    year: i32,
    at: &dyn Fn(usize, &str, Message) -> ImportProblem,
) -> Result<RowOutcome<Work>, Error> {
    let reject = |p: ImportProblem| Ok(RowOutcome::Rejected(vec![p]));
    let cell = |c: usize, cells: &[Option<String>]| cells[c].clone().filter(|v| !v.is_empty());
    let nib = cell(NIB, &cells);
    let nik_text = cell(OWNER_NIK, &cells);
    let nik_hash = nik_text
        .as_deref()
        .filter(|n| nik::validate("", n).is_ok())
        .map(|n| state.data_key.search_hash(n));
    let name = cell(BUSINESS_NAME, &cells).unwrap_or_default();
    let key = match (&nib, &nik_hash, &nik_text) {
        (Some(nib), _, _) => format!("nib:{nib}"),
        (None, Some(hash), _) => format!("nik:{hash}:{name}"),
        (None, None, Some(_)) => {
            // An invalid NIK: let validation below name the rule it breaks.
            format!("row:{number}")
        }
        (None, None, None) => {
            return reject(at(
                NIB,
                "natural_key_missing",
                msg!("a row needs a NIB, or the owner's NIK, to be matched on a later import"),
            ));
        }
    };
    if let Some(first) = seen.repeat(key, number) {
        return reject(at(
            if nib.is_some() { NIB } else { OWNER_NIK },
            "duplicate_key",
            msg!("repeats the UKM of row %{first}", first = first),
        ));
    }
    let existing = match &nib {
        Some(nib) => known.by_nib.get(nib),
        None => None,
    }
    .or_else(|| {
        let person = known.person_by_hash.get(nik_hash.as_ref()?)?;
        known.by_owner_and_name.get(&(person.row.id, name.clone()))
    });
    if let Some(row) = existing
        && row.archived_at.is_some()
    {
        return reject(at(
            NIB,
            "archived_record",
            msg!("matches an archived UKM; restore it before importing it"),
        ));
    }
    let existing_owner = existing.and_then(|r| known.person_by_id.get(&r.owner_id));
    let before = match (existing, existing_owner) {
        (Some(row), Some(owner)) => Some(self::cells(row, &owner.clear, true)),
        _ => None,
    };
    // Columns the file lacks keep their stored values.
    if let Some(before) = &before {
        merge_stored(&mut cells, before);
    }
    let request: CreateUkm = match to_request(COLUMNS, &cells, at) {
        Ok(request) => request,
        Err(problems) => return Ok(RowOutcome::Rejected(problems)),
    };
    let (mut fields, owner) = request.split();
    let mut violations = check_owner(&owner);
    violations.0.extend(check_business(&fields, year).0);
    let mut problems = violations_to_problems(violations, COLUMNS, at);
    if !state.regions.accepts_kelurahan(&fields.kelurahan_code) {
        problems.push(at(
            21,
            "unknown_kelurahan",
            crate::registry::regions::kelurahan_refused(&state.regions),
        ));
    }
    if let Some(id) = fields.cooperative_id
        && !known.cooperatives.contains(&id)
    {
        problems.push(at(
            COOPERATIVE_ID,
            "unknown_cooperative",
            msg!("is not a registered cooperative"),
        ));
    }
    let clear = clear_owner(&owner);
    let person = state.data_key.seal_person(&clear)?;
    let nik_hash = person.nik_hash.clone();
    if let Some(hash) = &nik_hash {
        match owners_in_file.get(hash) {
            Some((first, earlier)) if !earlier.same_details(&clear) => problems.push(at(
                OWNER_NIK,
                "owner_conflict",
                msg!(
                    "the same NIK has other owner details in row %{first}",
                    first = first
                ),
            )),
            Some(_) => {}
            None => {
                owners_in_file.insert(hash.clone(), (number, clear.clone()));
            }
        }
    }
    if !problems.is_empty() {
        return Ok(RowOutcome::Rejected(problems));
    }
    apply_size(state, &mut fields);
    // A NIK that came from the stored record (its column absent from the file) is its owner's.
    let stored_owner = match &nik_hash {
        Some(hash) => known
            .person_by_hash
            .get(hash)
            .or(existing_owner.filter(|o| o.row.nik_hash.as_ref() == Some(hash))),
        None => existing_owner,
    };
    let owner_plan = match stored_owner {
        Some(stored) => OwnerPlan::Existing {
            id: stored.row.id,
            update: (!clear.same_details(&stored.clear)).then(|| PersonFields {
                nik_encrypted: stored.row.nik_encrypted.clone(),
                nik_hash: stored.row.nik_hash.clone(),
                ..person
            }),
        },
        None => OwnerPlan::New {
            fields: person,
            nik_hash,
        },
    };
    if let OwnerPlan::Existing { id, .. } = owner_plan {
        fields.owner_id = id;
    }
    let after: Vec<String> = cells.into_iter().map(Option::unwrap_or_default).collect();
    let work = |existing| Work {
        existing,
        fields: fields.clone(),
        owner: owner_plan.clone(),
        before: before.clone(),
        after: after.clone(),
    };
    Ok(match existing {
        None => RowOutcome::Create(work(None)),
        Some(row) => {
            let unchanged = UkmFields::from(row) == fields
                && matches!(owner_plan, OwnerPlan::Existing { update: None, .. });
            if unchanged {
                RowOutcome::Unchanged
            } else {
                RowOutcome::Update(work(Some((row.id, row.version))))
            }
        }
    })
}
