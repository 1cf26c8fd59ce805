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
pub mod documents;
pub mod history;
mod names;
mod registry;

use anyhow::Context;
use klinik_persistence::{cooperatives, ukm, write_transaction};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use crate::prelude::*;

/// How big a city to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    pub cooperatives: usize,
    pub active_cooperatives: usize,
    pub ukm: usize,
    pub active_ukm: usize,
    /// Seven years of yearly figures, annual reports and synthetic PDRB ([`history`]); off for
    /// the benchmark sizes, whose seeding must stay fast.
    pub history: bool,
}

/// Kota Bogor in 2017 (the seed article).
pub const BOGOR_2017: Scale = Scale {
    cooperatives: 800,
    active_cooperatives: 307,
    ukm: 23_706,
    active_ukm: 8_500,
    history: true,
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
        history: false,
    })
}

/// Kota Bogor's 2017 figures for each of `kabupaten_kota` kabupaten/kota: `--scale province`
/// (West Java's 27 make 21,600 cooperatives and 640,062 UKM). Without the seven years of history,
/// like the benchmark sizes.
pub fn province(kabupaten_kota: usize) -> anyhow::Result<Scale> {
    let n = kabupaten_kota.max(1);
    anyhow::ensure!(
        BOGOR_2017.ukm * n <= MAX_UKM,
        "the area is too large for a demo of this shape"
    );
    Ok(Scale {
        cooperatives: BOGOR_2017.cooperatives * n,
        active_cooperatives: BOGOR_2017.active_cooperatives * n,
        ukm: BOGOR_2017.ukm * n,
        active_ukm: BOGOR_2017.active_ukm * n,
        history: false,
    })
}

/// Seeds an empty registry; refuses a database that already holds cooperatives or UKM.
pub fn seed(app: &App, scale: Scale, seed: u64) -> anyhow::Result<()> {
    let mut conn = app.db.pool().get().context("connecting to the database")?;
    write_transaction(&mut conn, |conn| seed_in(conn, app, scale, seed))?;
    klinik_persistence::refresh_statistics(&mut conn).context("refreshing statistics")
}

fn seed_in(conn: &mut AnyConnection, app: &App, scale: Scale, seed: u64) -> anyhow::Result<()> {
    let store_error = |e: klinik_persistence::StoreError| anyhow::anyhow!("{e}");
    let everything = |limit| cooperatives::ListFilter {
        include_archived: true,
        limit,
        ..Default::default()
    };
    let existing = cooperatives::list(conn, &everything(1))
        .map_err(store_error)?
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
        .map_err(store_error)?
        .1
        .count;
    anyhow::ensure!(
        existing == 0,
        "the registry is not empty: seed-demo only fills a fresh database"
    );
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    registry::cooperatives(conn, app, &mut rng, scale)?;
    registry::ukm(conn, app, &mut rng, scale)?;
    let cases = clinic::seed(conn, app, &mut rng, chrono::Utc::now().date_naive())?;
    if scale.history {
        history::seed(conn, &mut rng)?;
    }
    let ctx = crate::Ctx::system(app.clone(), "seed-demo");
    let summary = serde_json::json!({"cooperatives": scale.cooperatives, "ukm": scale.ukm, "cases": cases, "seed": seed});
    ctx.audit
        .record(conn, "seed_demo", "registry", None, Some(summary))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use names::synthetic_nik;

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

#[cfg(test)]
mod scale_tests {
    use super::*;

    #[test]
    fn a_province_is_kota_bogor_for_each_kabupaten_kota() {
        let west_java = province(27).unwrap();
        assert_eq!(west_java.cooperatives, 21_600);
        assert_eq!(west_java.active_cooperatives, 8_289);
        assert_eq!(west_java.ukm, 640_062);
        assert_eq!(west_java.active_ukm, 229_500);
        assert!(!west_java.history);
        assert_eq!(province(0).unwrap().ukm, BOGOR_2017.ukm);
        assert!(province(MAX_UKM).is_err());
    }
}
