//! `klinik seed-demo`: a realistic, clearly synthetic city for frontend developers and testers.
//!
//! `bogor-2017` builds Kota Bogor as the 2017 article describes it: 800 cooperatives of which 307
//! come out active under the status rule (RAT held for the previous book year), typed about 64%
//! konsumen, 18% produsen, 13% simpan pinjam, 3% jasa, 2% pemasaran; and 23,706 UKM of which 8,500
//! are active, about 75% culinary, spread over the 68 kelurahan. Identifiers have the right shape
//! but are recognisably synthetic: registration numbers, NIKs and NIBs use district code 99 or the
//! prefix 9999, which no real register issues. The same `--seed` gives the same city (in the same
//! year: the clinic's seven programme years end with the current one; see [`clinic`]).

pub mod clinic;

use anyhow::Context;
use chrono::{Datelike, NaiveDate};
use klinik_domain::size_class::{classify, in_force};
use klinik_persistence::annual_reports::{self, AnnualReportFields};
use klinik_persistence::cooperatives::{self, CooperativeFields, NewBoardMember};
use klinik_persistence::persons::{self, PersonFields};
use klinik_persistence::ukm::{self, UkmFields};
use klinik_persistence::{AnyConnection, write_transaction};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use crate::state::AppState;

/// How big a city to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    pub cooperatives: usize,
    pub active_cooperatives: usize,
    pub ukm: usize,
    pub active_ukm: usize,
}

/// Kota Bogor in 2017 (the seed article).
pub const BOGOR_2017: Scale = Scale {
    cooperatives: 800,
    active_cooperatives: 307,
    ukm: 23_706,
    active_ukm: 8_500,
};

/// Most UKM a demo can hold: the synthetic NIKs (district 90–99, sequence 0001–9999, one birth
/// date per 99,990) stay unique up to here.
pub const MAX_UKM: usize = 9_999_000;

/// A larger set in the proportions of bogor-2017, for benchmarks.
pub fn national(ukm: usize) -> anyhow::Result<Scale> {
    anyhow::ensure!(
        (1..=MAX_UKM).contains(&ukm),
        "--ukm must be from 1 to {MAX_UKM}"
    );
    let cooperatives = (ukm / 30).max(1);
    Ok(Scale {
        cooperatives,
        active_cooperatives: cooperatives * BOGOR_2017.active_cooperatives
            / BOGOR_2017.cooperatives,
        ukm,
        active_ukm: ukm * BOGOR_2017.active_ukm / BOGOR_2017.ukm,
    })
}

/// A synthetic NIK, unique for every `i` below [`MAX_UKM`]: district 9x does not exist in Kota
/// Bogor, so it has the right shape and is plainly fake.
fn synthetic_nik(i: usize, female: bool) -> String {
    let district = i % 10;
    let sequence = (i / 10) % 9_999 + 1;
    let date = i / 99_990;
    let day = date % 28 + 1 + if female { 40 } else { 0 };
    let month = (date / 28) % 12 + 1;
    let year = 60 + (date / 336) % 40;
    format!("32719{district}{day:02}{month:02}{year:02}{sequence:04}")
}

const FIRST_NAMES: &[&str] = &[
    "Siti", "Budi", "Dewi", "Agus", "Rina", "Asep", "Euis", "Dadang", "Nining", "Ujang", "Yanti",
    "Hendra", "Lilis", "Cecep", "Nurul", "Iwan", "Fitri", "Dedi", "Wati", "Rudi", "Neneng", "Asri",
    "Ahmad", "Sri", "Tati", "Eko",
];
const LAST_NAMES: &[&str] = &[
    "Aminah",
    "Santoso",
    "Lestari",
    "Hidayat",
    "Rahayu",
    "Saputra",
    "Kurniawan",
    "Nurhayati",
    "Suryana",
    "Permana",
    "Setiawan",
    "Maryati",
    "Sutisna",
    "Hermawan",
    "Gunawan",
    "Purnama",
    "Wijaya",
    "Supriatna",
    "Handayani",
    "Ramdani",
];
const WORDS: &[&str] = &[
    "Mekar",
    "Sejahtera",
    "Makmur",
    "Bersama",
    "Mandiri",
    "Jaya",
    "Sentosa",
    "Harapan",
    "Karya",
    "Maju",
    "Abadi",
    "Amanah",
    "Berkah",
    "Warga",
    "Pakuan",
    "Sauyunan",
    "Rahayu",
    "Lestari",
    "Sinar",
    "Tunas",
];
const CULINARY: &[&str] = &[
    "Asinan",
    "Roti Unyil",
    "Talas",
    "Soto Kuning",
    "Toge Goreng",
    "Laksa",
    "Doclang",
    "Cungkring",
    "Lapis Talas",
    "Bir Kotjok",
];
const OTHER_TRADES: &[(&str, &str)] = &[
    ("fashion", "Batik"),
    ("craft", "Kerajinan"),
    ("services", "Jasa"),
    ("trade", "Toko"),
    ("creative_economy", "Studio"),
    ("agriculture", "Tani"),
    ("other", "Usaha"),
];

fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

fn person_name(rng: &mut ChaCha8Rng) -> String {
    format!("{} {}", pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES))
}

/// Cooperative types in the national shares of 2017, as exact counts for `total`.
fn cooperative_types(total: usize) -> Vec<&'static str> {
    let shares = [
        ("konsumen", 64),
        ("produsen", 18),
        ("simpan_pinjam", 13),
        ("jasa", 3),
        ("pemasaran", 2),
    ];
    let mut types = Vec::with_capacity(total);
    for (kind, percent) in shares {
        types.extend(std::iter::repeat_n(kind, total * percent / 100));
    }
    while types.len() < total {
        types.push("konsumen");
    }
    types
}

/// Shuffles `items` in place (Fisher–Yates) with the seeded generator.
fn shuffle<T>(rng: &mut ChaCha8Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        items.swap(i, rng.random_range(0..=i));
    }
}

/// Seeds an empty registry; refuses a database that already holds cooperatives or UKM.
pub fn seed(state: &AppState, scale: Scale, seed: u64) -> anyhow::Result<()> {
    let mut conn = state.pool.get().context("connecting to the database")?;
    write_transaction(&mut conn, |conn| seed_in(conn, state, scale, seed))?;
    klinik_persistence::refresh_statistics(&mut conn).context("refreshing statistics")
}

fn seed_in(
    conn: &mut AnyConnection,
    state: &AppState,
    scale: Scale,
    seed: u64,
) -> anyhow::Result<()> {
    let existing = cooperatives::list(
        conn,
        &cooperatives::ListFilter {
            include_archived: true,
            limit: 1,
            ..Default::default()
        },
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?
    .1
    .count
        + ukm::list(
            conn,
            &ukm::ListFilter {
                include_archived: true,
                limit: 1,
                ..Default::default()
            },
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .1
        .count;
    anyhow::ensure!(
        existing == 0,
        "the registry is not empty: seed-demo only fills a fresh database"
    );
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let kelurahan: Vec<(String, String)> = state
        .regions
        .kelurahan
        .iter()
        .map(|k| (k.code.clone(), k.name.clone()))
        .collect();
    let last_book_year = chrono::Utc::now().year() - 1;
    let store_error = |e: klinik_persistence::StoreError| anyhow::anyhow!("{e}");

    let mut types = cooperative_types(scale.cooperatives);
    shuffle(&mut rng, &mut types);
    let mut active = vec![true; scale.active_cooperatives];
    active.resize(scale.cooperatives, false);
    shuffle(&mut rng, &mut active);
    let initial = crate::routes::cooperatives::initial_status(state.activity_rule);
    for (i, (kind, is_active)) in types.iter().zip(&active).enumerate() {
        let (code, place) = &kelurahan[rng.random_range(0..kelurahan.len())];
        let label = match *kind {
            "simpan_pinjam" => "Simpan Pinjam",
            "produsen" => "Produsen",
            "pemasaran" => "Pemasaran",
            "jasa" => "Jasa",
            _ => "Konsumen",
        };
        let fields = CooperativeFields {
            registration_number: Some(format!("327199{:07}", i + 1)),
            name: format!(
                "Koperasi {label} {} {} {place}",
                pick(&mut rng, WORDS),
                pick(&mut rng, WORDS)
            ),
            legal_entity_number: Some(format!(
                "{}/BH/DEMO/{}",
                500 + i,
                1990 + rng.random_range(0..30)
            )),
            legal_entity_date: None,
            form: "primer".into(),
            cooperative_type: (*kind).into(),
            management_pattern: if rng.random_bool(0.1) {
                "syariah"
            } else {
                "konvensional"
            }
            .into(),
            savings_and_loan: *kind == "simpan_pinjam",
            nib: None,
            npwp: None,
            membership_area: "kota".into(),
            street: Some(format!(
                "Jl. {} No. {}",
                pick(&mut rng, WORDS),
                rng.random_range(1..200)
            )),
            rt_rw: Some(format!(
                "{:03}/{:03}",
                rng.random_range(1..15),
                rng.random_range(1..12)
            )),
            kelurahan_code: code.clone(),
            postal_code: state.regions.kelurahan(code).map(|k| k.postal_code.clone()),
            phone: None,
            email: None,
        };
        let row = cooperatives::insert(conn, &fields, &initial).map_err(store_error)?;
        let board: Vec<NewBoardMember> = ["ketua", "sekretaris", "bendahara"]
            .iter()
            .map(|role| NewBoardMember {
                role: (*role).into(),
                name: person_name(&mut rng),
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
        annual_reports::insert(
            conn,
            row.id,
            &AnnualReportFields {
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
            },
        )
        .map_err(store_error)?;
    }
    crate::routes::cooperatives::refresh_all_statuses(conn, state.activity_rule)
        .map_err(store_error)?;

    let culinary = scale.ukm * 75 / 100;
    let mut active_ukm = vec![true; scale.active_ukm];
    active_ukm.resize(scale.ukm, false);
    shuffle(&mut rng, &mut active_ukm);
    let figures_date = NaiveDate::from_ymd_opt(2017, 6, 5);
    let thresholds = figures_date
        .and_then(|d| in_force(&state.size_thresholds, d))
        .cloned();
    let (mut people, mut businesses) = (Vec::new(), Vec::new());
    for (i, is_active) in active_ukm.iter().enumerate() {
        let (code, _) = &kelurahan[rng.random_range(0..kelurahan.len())];
        let (sector, business_name) = if i < culinary {
            (
                "culinary",
                format!(
                    "{} {}",
                    pick(&mut rng, CULINARY),
                    pick(&mut rng, FIRST_NAMES)
                ),
            )
        } else {
            let (sector, word) = OTHER_TRADES[rng.random_range(0..OTHER_TRADES.len())];
            (
                sector,
                format!(
                    "{word} {} {}",
                    pick(&mut rng, WORDS),
                    pick(&mut rng, FIRST_NAMES)
                ),
            )
        };
        let female = rng.random_bool(0.55);
        let nik = synthetic_nik(i, female);
        people.push(PersonFields {
            full_name: person_name(&mut rng),
            nik_encrypted: Some(
                state
                    .data_key
                    .encrypt(&nik)
                    .map_err(|_| anyhow::anyhow!("encryption failed"))?,
            ),
            nik_hash: Some(state.data_key.search_hash(&nik)),
            sex: Some(if female { "perempuan" } else { "laki_laki" }.into()),
            birth_date: None,
            phone: Some(format!("+62899{:08}", i)),
            home_address: None,
        });
        let capital = rng.random_range(1..400) * 1_000_000;
        let sales = capital * rng.random_range(2..6);
        let sized = thresholds.as_ref().and_then(|t| {
            classify(t, Some(capital), Some(sales)).map(|c| (c, t.regulation.clone()))
        });
        let fields = UkmFields {
            business_name,
            owner_id: 0,
            nib: rng.random_bool(0.4).then(|| format!("9999{:09}", i + 1)),
            kbli_code: None,
            kbli_version: None,
            sector: sector.into(),
            business_capital: Some(capital),
            annual_sales: Some(sales),
            figures_date,
            size_class: sized
                .as_ref()
                .map(|((class, _), _)| class.as_str().to_owned()),
            size_basis: sized
                .as_ref()
                .map(|((_, basis), _)| basis.as_str().to_owned()),
            size_regulation: sized.map(|(_, regulation)| regulation),
            workers: Some(rng.random_range(1..20)),
            start_year: Some(rng.random_range(1990..2017)),
            has_pirt: sector == "culinary" && rng.random_bool(0.3),
            has_halal: sector == "culinary" && rng.random_bool(0.2),
            has_standard_certificate: false,
            npwp: None,
            street: None,
            kelurahan_code: code.clone(),
            cooperative_id: None,
            status: if *is_active {
                "aktif"
            } else if rng.random_bool(0.7) {
                "tidak_aktif"
            } else {
                "tidak_diketahui"
            }
            .into(),
        };
        businesses.push(fields);
        // Owners and businesses go in a thousand at a time (multi-row inserts).
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
    let cases = clinic::seed(conn, state, &mut rng, chrono::Utc::now().date_naive())?;
    klinik_persistence::audit::append(
        conn,
        &klinik_persistence::audit::NewAuditEvent {
            actor_type: "system".into(),
            actor_id: None,
            actor_name: None,
            actor_role: None,
            action: "seed_demo".into(),
            entity_type: "registry".into(),
            entity_id: None,
            changes: Some(serde_json::json!({"cooperatives": scale.cooperatives, "ukm": scale.ukm, "cases": cases, "seed": seed}).to_string()),
            request_id: None,
            client_address: None,
        },
    )
    .map_err(store_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_niks_are_valid_and_unique_up_to_the_limit() {
        let mut seen = std::collections::HashSet::new();
        for i in (0..MAX_UKM).step_by(37).chain([MAX_UKM - 1]) {
            let female = i % 2 == 0;
            let nik = synthetic_nik(i, female);
            assert!(klinik_domain::nik::validate("nik", &nik).is_ok(), "{nik}");
            assert!(seen.insert(nik), "NIK of {i} repeats");
        }
        assert!(national(MAX_UKM + 1).is_err() && national(0).is_err());
        let n = national(1_000_000).unwrap();
        assert_eq!((n.cooperatives, n.ukm), (33_333, 1_000_000));
    }
}
