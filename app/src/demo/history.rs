//! Seven years of registry history for the demo, so that the economy view has a trend to draw:
//! UKM yearly figures and cooperatives' annual reports for the last seven book years, in the
//! registry's proportions (active UKM and cooperatives report every year; inactive ones report
//! for a while and then stop), and the city's PDRB for 2017 onwards — plainly synthetic, and
//! marked so in its source — with the 25 % share the seed article quotes for 2017.
//!
//! It runs after the clinic's seed and leaves alone every year the clinic already recorded for
//! its cases (their evidence), and never adds a report after a cooperative's latest, so that
//! neither the clinic's outcomes nor any activity status change.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use klinik_domain::economy::{PublicationStatus, ShareScope};
use klinik_domain::ukm::UkmStatus;
use klinik_persistence::annual_reports::{self, AnnualReportFields, AnnualReportRow};
use klinik_persistence::economy::{self, EconomyYearFields};
use klinik_persistence::{cooperatives, economy_registry, ukm};
use rand::RngExt;
use rand::rngs::ChaCha8Rng;

use crate::prelude::*;

/// Book years of history: the last one and the six before.
pub const YEARS: i32 = 7;

fn fail<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// `amount` as it was `years_back` years earlier, at about 6 % growth a year with some noise.
fn earlier(rng: &mut ChaCha8Rng, amount: i64, years_back: i32) -> i64 {
    let mut value = amount as f64;
    for _ in 0..years_back {
        value /= 1.0 + rng.random_range(0.02..0.10);
    }
    value.round() as i64
}

pub fn seed(conn: &mut AnyConnection, rng: &mut ChaCha8Rng) -> anyhow::Result<()> {
    let last = chrono::Utc::now().year() - 1;
    let first = last - YEARS + 1;
    cooperative_reports(conn, rng, first)?;
    ukm_figures(conn, rng, first, last)?;
    pdrb(conn, last)
}

/// Earlier reports for each cooperative, from `first` up to the year before its latest one.
fn cooperative_reports(
    conn: &mut AnyConnection,
    rng: &mut ChaCha8Rng,
    first: i32,
) -> anyhow::Result<()> {
    let filter = cooperatives::ListFilter {
        include_archived: false,
        ..Default::default()
    };
    let ids: Vec<CooperativeId> = cooperatives::list_all(conn, &filter, i64::MAX)
        .map_err(fail)?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let mut latest: HashMap<CooperativeId, AnnualReportRow> = HashMap::new();
    let mut recorded: HashSet<(CooperativeId, i32)> = HashSet::new();
    for chunk in ids.chunks(500) {
        for report in annual_reports::find_by_cooperatives(conn, chunk).map_err(fail)? {
            recorded.insert((report.cooperative_id, report.book_year));
            let newer = latest
                .get(&report.cooperative_id)
                .is_none_or(|r| r.book_year < report.book_year);
            if newer {
                latest.insert(report.cooperative_id, report);
            }
        }
    }
    for id in ids {
        let Some(report) = latest.get(&id) else {
            continue;
        };
        for year in first..report.book_year {
            if recorded.contains(&(id, year)) {
                continue;
            }
            let back = report.book_year - year;
            let mut scaled = |v: Option<i64>| v.map(|v| earlier(rng, v, back));
            let rat_date = NaiveDate::from_ymd_opt(year + 1, 3, 15);
            let fields = AnnualReportFields {
                book_year: year,
                rat_held: true,
                rat_date,
                reported_date: rat_date,
                members_male: report.members_male.map(|m| (m - i64::from(back)).max(1)),
                members_female: report.members_female.map(|m| (m - i64::from(back)).max(1)),
                managers: report.managers,
                employees: report.employees,
                own_capital: scaled(report.own_capital),
                outside_capital: scaled(report.outside_capital),
                assets: scaled(report.assets),
                business_volume: scaled(report.business_volume),
                shu: report.shu,
            };
            annual_reports::insert(conn, id, &fields).map_err(fail)?;
        }
    }
    Ok(())
}

/// Yearly figures: every year for active UKM; for the others, some early years or none.
fn ukm_figures(
    conn: &mut AnyConnection,
    rng: &mut ChaCha8Rng,
    first: i32,
    last: i32,
) -> anyhow::Result<()> {
    let recorded: HashSet<(UkmId, i32)> = economy_registry::ukm_figures(conn, first, last)
        .map_err(fail)?
        .into_iter()
        .map(|f| (f.ukm_id, f.year))
        .collect();
    let businesses = ukm::list_all(conn, &ukm::ListFilter::default(), i64::MAX).map_err(fail)?;
    let mut rows = Vec::new();
    for business in businesses {
        let until = if business.status == UkmStatus::Aktif {
            last
        } else if rng.random_bool(0.4) {
            continue;
        } else {
            rng.random_range(first..last - 1)
        };
        let sales = business.annual_sales.unwrap_or(100_000_000);
        for year in first..=until {
            if recorded.contains(&(business.id, year)) {
                continue;
            }
            let figures = ukm::YearlyFigures {
                year,
                turnover: Some(earlier(rng, sales, last - year)),
                workers: business.workers,
                assets: business.business_capital,
            };
            rows.push((business.id, figures));
        }
    }
    ukm::insert_figures_many(conn, &rows).map_err(fail)
}

/// Synthetic PDRB from 2017 to `last`: about 38.5 trillion rupiah in 2017 at current prices,
/// growing 8 % a year (5 % at constant prices).
fn pdrb(conn: &mut AnyConnection, last: i32) -> anyhow::Result<()> {
    let (mut current, mut constant) = (38_500_000_000_000_f64, 27_100_000_000_000_f64);
    for year in 2017..=last {
        let article = year == 2017;
        let fields = EconomyYearFields {
            year,
            pdrb_current_prices: current.round() as i64,
            pdrb_constant_prices: constant.round() as i64,
            pdrb_source: "SINTETIS: data demo seed-demo, bukan angka BPS (synthetic demo data)"
                .into(),
            pdrb_status: if year == last {
                PublicationStatus::Preliminary
            } else {
                PublicationStatus::Final
            },
            published_share: article.then_some(2_500),
            published_share_scope: article.then_some(ShareScope::Kumkm),
            published_share_source: article.then(|| {
                "Kepala Dinas Koperasi dan UKM Kota Bogor, berita \"Koperasi dan UKM di Coaching Clinic\" (5 Juni 2017)".into()
            }),
        };
        economy::insert(conn, fields).map_err(fail)?;
        current *= 1.08;
        constant *= 1.05;
    }
    Ok(())
}
