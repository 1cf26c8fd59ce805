//! The demo's registry: cooperatives with a board and one annual report each (the status rule
//! then decides which are active), and UKM with their owners. Rows go in with the same storage
//! functions and rules (initial status, status refresh, size class) as the API; owners and UKM in
//! multi-row inserts, a thousand at a time.

use chrono::{Datelike, NaiveDate};
use klinik_domain::cooperative::{
    BoardRole, CooperativeForm, CooperativeType, ManagementPattern, MembershipArea,
};
use klinik_domain::ukm::{Sector, Sex, UkmStatus};
use klinik_persistence::StoreError;
use klinik_persistence::annual_reports::{self, AnnualReportFields};
use klinik_persistence::cooperatives::{self, CooperativeFields, NewBoardMember};
use klinik_persistence::persons;
use klinik_persistence::ukm::{self, UkmFields};
use rand::RngExt;
use rand::rngs::ChaCha8Rng;

use super::Scale;
use super::names::{
    CULINARY, FIRST_NAMES, OTHER_TRADES, WORDS, cooperative_types, person_name, pick, shuffle,
    synthetic_nik,
};
use crate::personal_data::ClearPerson;
use crate::prelude::*;
use crate::registry::cooperatives::status;
use crate::registry::ukm::apply_size;

fn store_error(e: StoreError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// The area's villages in force as (code, name).
fn kelurahan(app: &App) -> Vec<(String, String)> {
    app.regions
        .villages()
        .map(|k| (k.code.clone(), k.name.clone()))
        .collect()
}

/// `scale.cooperatives` cooperatives in the national type shares, `scale.active_cooperatives`
/// of them with a RAT for the last book year.
pub fn cooperatives(
    conn: &mut AnyConnection,
    app: &App,
    rng: &mut ChaCha8Rng,
    scale: Scale,
) -> anyhow::Result<()> {
    let kelurahan = kelurahan(app);
    let last_book_year = chrono::Utc::now().year() - 1;
    let mut types = cooperative_types(scale.cooperatives);
    shuffle(rng, &mut types);
    let mut active = vec![true; scale.active_cooperatives];
    active.resize(scale.cooperatives, false);
    shuffle(rng, &mut active);
    let initial = status::initial(app.activity_rule);
    for (i, (kind, is_active)) in types.iter().zip(&active).enumerate() {
        let (code, place) = &kelurahan[rng.random_range(0..kelurahan.len())];
        let label = match kind {
            CooperativeType::SimpanPinjam => "Simpan Pinjam",
            CooperativeType::Produsen => "Produsen",
            CooperativeType::Pemasaran => "Pemasaran",
            CooperativeType::Jasa => "Jasa",
            CooperativeType::Konsumen => "Konsumen",
        };
        let fields = CooperativeFields {
            registration_number: Some(format!("327199{:07}", i + 1)),
            name: format!(
                "Koperasi {label} {} {} {place}",
                pick(rng, WORDS),
                pick(rng, WORDS)
            ),
            legal_entity_number: Some(format!(
                "{}/BH/DEMO/{}",
                500 + i,
                1990 + rng.random_range(0..30)
            )),
            legal_entity_date: None,
            form: CooperativeForm::Primer,
            cooperative_type: *kind,
            management_pattern: if rng.random_bool(0.1) {
                ManagementPattern::Syariah
            } else {
                ManagementPattern::Konvensional
            },
            savings_and_loan: *kind == CooperativeType::SimpanPinjam,
            nib: None,
            npwp: None,
            membership_area: MembershipArea::Kota,
            street: Some(format!(
                "Jl. {} No. {}",
                pick(rng, WORDS),
                rng.random_range(1..200)
            )),
            rt_rw: Some(format!(
                "{:03}/{:03}",
                rng.random_range(1..15),
                rng.random_range(1..12)
            )),
            kelurahan_code: code.clone(),
            postal_code: app
                .regions
                .kelurahan(code)
                .map(|k| k.postal_code.clone())
                .filter(|p| !p.is_empty()),
            phone: None,
            email: None,
        };
        let row = cooperatives::insert(conn, fields, &initial).map_err(store_error)?;
        let board: Vec<NewBoardMember> = [
            BoardRole::Ketua,
            BoardRole::Sekretaris,
            BoardRole::Bendahara,
        ]
        .into_iter()
        .map(|role| NewBoardMember {
            role,
            name: person_name(rng),
            term_start: None,
            term_end: None,
        })
        .collect();
        cooperatives::replace_board(conn, row.id, &board).map_err(store_error)?;
        // Active ones held their RAT for the last book year; the others stopped some years ago.
        let book_year = if *is_active {
            last_book_year
        } else {
            last_book_year - rng.random_range(2..8)
        };
        let rat_date = NaiveDate::from_ymd_opt(
            book_year + 1,
            rng.random_range(1..=4),
            rng.random_range(1..=28),
        );
        let members = rng.random_range(20..400);
        let report = AnnualReportFields {
            book_year,
            rat_held: true,
            rat_date,
            reported_date: rat_date,
            members_male: Some(members / 2),
            members_female: Some(members - members / 2),
            managers: Some(3),
            employees: Some(rng.random_range(0..10)),
            own_capital: Some(rng.random_range(10..500) * 1_000_000),
            outside_capital: Some(rng.random_range(0..300) * 1_000_000),
            assets: Some(rng.random_range(20..900) * 1_000_000),
            business_volume: Some(rng.random_range(50..3_000) * 1_000_000),
            shu: Some(rng.random_range(-20..150) * 1_000_000),
        };
        annual_reports::insert(conn, row.id, &report).map_err(store_error)?;
    }
    status::refresh_all(conn, app.activity_rule).map_err(store_error)?;
    Ok(())
}

/// `scale.ukm` UKM, about 75% culinary, `scale.active_ukm` of them active, each with its own
/// owner; figures dated in 2017, so that they are classed under UU 20/2008.
pub fn ukm(
    conn: &mut AnyConnection,
    app: &App,
    rng: &mut ChaCha8Rng,
    scale: Scale,
) -> anyhow::Result<()> {
    let kelurahan = kelurahan(app);
    let culinary = scale.ukm * 75 / 100;
    let mut active_ukm = vec![true; scale.active_ukm];
    active_ukm.resize(scale.ukm, false);
    shuffle(rng, &mut active_ukm);
    let figures_date = NaiveDate::from_ymd_opt(2017, 6, 5);
    let (mut people, mut businesses) = (Vec::new(), Vec::new());
    for (i, is_active) in active_ukm.iter().enumerate() {
        let (code, _) = &kelurahan[rng.random_range(0..kelurahan.len())];
        let (sector, business_name) = if i < culinary {
            let name = format!("{} {}", pick(rng, CULINARY), pick(rng, FIRST_NAMES));
            (Sector::Culinary, name)
        } else {
            let (sector, word) = OTHER_TRADES[rng.random_range(0..OTHER_TRADES.len())];
            let name = format!("{word} {} {}", pick(rng, WORDS), pick(rng, FIRST_NAMES));
            (sector, name)
        };
        let female = rng.random_bool(0.55);
        let nik = synthetic_nik(i, female);
        let person = ClearPerson {
            full_name: person_name(rng),
            nik: Some(nik),
            sex: Some(if female {
                Sex::Perempuan
            } else {
                Sex::LakiLaki
            }),
            phone: Some(format!("+62899{i:08}")),
            ..ClearPerson::default()
        };
        people.push(
            app.data_key
                .seal_person(&person)
                .map_err(|_| anyhow::anyhow!("encryption failed"))?,
        );
        let capital = rng.random_range(1..400) * 1_000_000;
        let sales = capital * rng.random_range(2..6);
        let mut fields = UkmFields {
            business_name,
            owner_id: PersonId(0),
            nib: rng.random_bool(0.4).then(|| format!("9999{:09}", i + 1)),
            kbli_code: None,
            kbli_version: None,
            sector,
            business_capital: Some(capital),
            annual_sales: Some(sales),
            figures_date,
            size_class: None,
            size_basis: None,
            size_regulation: None,
            workers: Some(rng.random_range(1..20)),
            start_year: Some(rng.random_range(1990..2017)),
            has_pirt: sector == Sector::Culinary && rng.random_bool(0.3),
            has_halal: sector == Sector::Culinary && rng.random_bool(0.2),
            has_standard_certificate: false,
            npwp: None,
            street: None,
            kelurahan_code: code.clone(),
            cooperative_id: None,
            status: if *is_active {
                UkmStatus::Aktif
            } else if rng.random_bool(0.7) {
                UkmStatus::TidakAktif
            } else {
                UkmStatus::TidakDiketahui
            },
        };
        apply_size(app, &mut fields);
        businesses.push(fields);
        if businesses.len() == 1_000 || i + 1 == scale.ukm {
            let ids = persons::insert_many(conn, &people).map_err(store_error)?;
            for (business, id) in businesses.iter_mut().zip(ids) {
                business.owner_id = id;
            }
            ukm::insert_many(conn, &businesses).map_err(store_error)?;
            people.clear();
            businesses.clear();
        }
    }
    Ok(())
}
