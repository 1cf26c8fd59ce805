//! `GET /api/v1/economy`: what the registries say of each year beside the city's PDRB — the UKM's
//! reported turnover and workers, new registrations, size-class mix and movement; cooperatives'
//! annual-report sums; coverage (how much of the registry reported); the published share, the
//! proxy share and the target side by side — for the whole area and, on request, by kecamatan.
//! The rows come from `klinik_persistence::economy_registry`, the arithmetic from
//! `klinik_domain::economy::registry`.

use std::collections::BTreeMap;

use klinik_domain::economy::registry::{
    CooperativeReport, CooperativeYear, UkmReport, UkmYear, percent_of, proxy_share,
    registry_output,
};
use klinik_domain::economy::{FIRST_YEAR, PublicationStatus};
use klinik_domain::size_class::class_of_year;
use klinik_persistence::economy::{self as store, EconomyYearRow};
use klinik_persistence::economy_registry as rows;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{EconomicTarget, PublishedShare, published_share_of, target_of, this_year};
use crate::prelude::*;

/// How the figures are broken down besides the whole area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EconomyGroupBy {
    Kecamatan,
}

/// The years to read and how to break them down. Unknown parameters are a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EconomyQuery {
    /// The first year (default: six years before `to_year`, so seven years).
    #[param(minimum = 2000, maximum = 2100)]
    pub from_year: Option<i32>,
    /// The last year (default: last year, the latest whose books are closed; this year may be
    /// asked for).
    #[param(minimum = 2000, maximum = 2100)]
    pub to_year: Option<i32>,
    /// `kecamatan`: each year also by kecamatan (parts that sum to the whole).
    pub group_by: Option<EconomyGroupBy>,
}

/// A year's PDRB as published.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PdrbFigures {
    /// At current prices, whole rupiah.
    pub current_prices: i64,
    /// At constant (2010) prices, whole rupiah.
    pub constant_prices: i64,
    pub source: String,
    pub status: PublicationStatus,
}

/// The UKM registry's year, with the coverage that says how much it means.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UkmEconomy {
    /// UKM on the registry today (the `total` of `/ukm` with the same kecamatan).
    pub registered: i64,
    /// `reporting` as a percentage of `registered`, two decimals; `null` with none registered.
    #[schema(value_type = Option<String>, example = "35.86")]
    pub coverage_percent: Option<String>,
    #[serde(flatten)]
    pub year: UkmYear,
}

/// The cooperative registry's book year, with its coverage.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CooperativeEconomy {
    /// Cooperatives on the registry today (the `total` of `/cooperatives` with the same kecamatan).
    pub registered: i64,
    /// `reporting` as a percentage of `registered`, two decimals; `null` with none registered.
    #[schema(value_type = Option<String>, example = "38.38")]
    pub coverage_percent: Option<String>,
    #[serde(flatten)]
    pub year: CooperativeYear,
}

/// One kecamatan's part of a year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KecamatanEconomy {
    #[schema(example = "32.71.01")]
    pub kecamatan_code: String,
    #[schema(example = "Bogor Selatan")]
    pub kecamatan_name: String,
    pub ukm: UkmEconomy,
    pub cooperatives: CooperativeEconomy,
}

/// One year: the city's accounts and what the registries say of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EconomyYearFigures {
    pub year: i32,
    /// As entered at `/economy/years`; `null` when the year is not entered.
    pub pdrb: Option<PdrbFigures>,
    /// The official share of the sector in PDRB, where one is published.
    pub published_share: Option<PublishedShare>,
    /// UKM turnover plus cooperatives' business volume, in rupiah: gross output, not value added.
    pub registry_output: i64,
    /// **A proxy, not the official share.** `registry_output` as a percentage of PDRB at current
    /// prices, two decimals: it sets gross output (sales) against value added, and a UKM that is a
    /// member of a cooperative may count in both, so it can run well above the sector's real
    /// share. Read its trend beside `published_share`, never instead of it. `null` without PDRB.
    #[schema(value_type = Option<String>, example = "4.27")]
    pub proxy_share_percent: Option<String>,
    /// The target, beside the figures that measure it.
    pub target: EconomicTarget,
    pub ukm: UkmEconomy,
    pub cooperatives: CooperativeEconomy,
    /// With `group_by=kecamatan`: every kecamatan of the area, whose parts sum to the whole;
    /// otherwise `null`.
    pub kecamatan: Option<Vec<KecamatanEconomy>>,
}

/// The economy over a span of years.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EconomyView {
    pub from_year: i32,
    pub to_year: i32,
    pub group_by: Option<EconomyGroupBy>,
    pub target: EconomicTarget,
    /// Oldest first, one per year of the span.
    pub years: Vec<EconomyYearFigures>,
}

/// The years a query asks for: both within [`FIRST_YEAR`]..this year, `from` not after `to`.
fn span(query: &EconomyQuery) -> Result<(i32, i32), Error> {
    let latest = this_year();
    let to = query.to_year.unwrap_or(latest - 1);
    let from = query.from_year.unwrap_or((to - 6).max(FIRST_YEAR));
    for (field, year) in [("from_year", from), ("to_year", to)] {
        if !(FIRST_YEAR..=latest).contains(&year) {
            return Err(Error::query(
                field,
                "year_range",
                msg!(
                    "must be from %{first} to %{last}",
                    first = FIRST_YEAR,
                    last = latest
                ),
            ));
        }
    }
    if from > to {
        return Err(Error::query(
            "from_year",
            "year_order",
            msg!("must not be after to_year"),
        ));
    }
    Ok((from, to))
}

/// Everything loaded for a span, before the sums.
struct Loaded {
    pdrb: Vec<EconomyYearRow>,
    target: EconomicTarget,
    ukm_figures: Vec<rows::UkmFigureRow>,
    registrations: Vec<(i32, Vec<(String, i64)>)>,
    ukm_registered: Vec<(String, i64)>,
    cooperatives_registered: Vec<(String, i64)>,
    reports: Vec<rows::AnnualReportFigures>,
}

fn load(conn: &mut AnyConnection, from: i32, to: i32) -> Result<Loaded, Error> {
    let (pdrb, _) = store::list(conn, Some(from), Some(to), i64::from(to - from + 1), 0)?;
    let target = target_of(store::target(conn)?);
    // The year before too, for each UKM's movement into the first year.
    let ukm_figures = rows::ukm_figures(conn, from - 1, to)?;
    let registrations = (from..=to)
        .map(|year| Ok((year, rows::ukm_registered_in(conn, year)?)))
        .collect::<Result<_, Error>>()?;
    Ok(Loaded {
        pdrb,
        target,
        ukm_figures,
        registrations,
        ukm_registered: rows::ukm_by_kecamatan(conn)?,
        cooperatives_registered: rows::cooperatives_by_kelurahan(conn)?,
        reports: rows::annual_report_figures(conn, from, to)?,
    })
}

/// A year's sums by kecamatan code.
type ByKecamatan<T> = BTreeMap<String, T>;

fn text(percent: Option<Decimal>) -> Option<String> {
    percent.map(|p| p.normalize().to_string())
}

pub async fn view(ctx: &Ctx, query: EconomyQuery) -> Result<EconomyView, Error> {
    let (from, to) = span(&query)?;
    let loaded = ctx.read_nearby(move |conn, _| load(conn, from, to)).await?;
    Ok(assemble(&ctx.app, loaded, from, to, query.group_by))
}

fn assemble(
    app: &App,
    loaded: Loaded,
    from: i32,
    to: i32,
    group_by: Option<EconomyGroupBy>,
) -> EconomyView {
    let kecamatan_of = |kelurahan: &str| {
        app.regions.kelurahan(kelurahan).map_or_else(
            || kelurahan.rsplit_once('.').map_or("", |(k, _)| k).to_owned(),
            |k| k.kecamatan_code.clone(),
        )
    };
    let years = usize::try_from(to - from + 1).unwrap_or(0);
    let index = |year: i32| usize::try_from(year - from).ok().filter(|i| *i < years);
    let mut ukm: Vec<ByKecamatan<UkmYear>> = vec![BTreeMap::new(); years];
    let mut previous: Option<(UkmId, i32, Option<i64>)> = None;
    for row in &loaded.ukm_figures {
        let class = class_of_year(&app.size_thresholds, row.year, row.turnover);
        // The year before is classed under this year's thresholds too, so that a new
        // regulation (PP 7/2021 raised every ceiling) does not read as businesses moving.
        let before = previous
            .filter(|(id, year, _)| *id == row.ukm_id && *year == row.year - 1)
            .and_then(|(_, _, turnover)| class_of_year(&app.size_thresholds, row.year, turnover));
        if let Some(i) = index(row.year) {
            let report = UkmReport {
                turnover: row.turnover,
                workers: row.workers,
                class,
            };
            ukm[i]
                .entry(row.kecamatan_code.clone())
                .or_default()
                .count(report, before);
        }
        previous = Some((row.ukm_id, row.year, row.turnover));
    }
    for (year, counts) in &loaded.registrations {
        if let Some(i) = index(*year) {
            for (code, n) in counts {
                ukm[i].entry(code.clone()).or_default().new_registrations += n;
            }
        }
    }
    let mut cooperatives: Vec<ByKecamatan<CooperativeYear>> = vec![BTreeMap::new(); years];
    for r in &loaded.reports {
        if let Some(i) = index(r.book_year) {
            let report = CooperativeReport {
                rat_held: r.rat_held,
                business_volume: r.business_volume,
                assets: r.assets,
                own_capital: r.own_capital,
                shu: r.shu,
                members_male: r.members_male,
                members_female: r.members_female,
                employees: r.employees,
            };
            cooperatives[i]
                .entry(kecamatan_of(&r.kelurahan_code))
                .or_default()
                .count(&report);
        }
    }
    let ukm_registered: ByKecamatan<i64> = loaded.ukm_registered.iter().cloned().collect();
    let mut cooperatives_registered: ByKecamatan<i64> = BTreeMap::new();
    for (kelurahan, n) in &loaded.cooperatives_registered {
        *cooperatives_registered
            .entry(kecamatan_of(kelurahan))
            .or_default() += n;
    }
    // Every kecamatan of the area, then any code only stored records still carry.
    let mut kecamatan: Vec<(String, String)> = app
        .regions
        .places(klinik_domain::regions::Level::Kecamatan)
        .map(|k| (k.code.clone(), k.name.clone()))
        .collect();
    let extra = ukm_registered
        .keys()
        .chain(cooperatives_registered.keys())
        .chain(ukm.iter().flat_map(|y| y.keys()))
        .chain(cooperatives.iter().flat_map(|y| y.keys()));
    for code in extra {
        if !kecamatan.iter().any(|(known, _)| known == code) {
            kecamatan.push((code.clone(), String::new()));
        }
    }
    let registered_ukm = ukm_registered.values().sum::<i64>();
    let registered_cooperatives = cooperatives_registered.values().sum::<i64>();
    let ukm_part = |registered: i64, year: UkmYear| UkmEconomy {
        registered,
        coverage_percent: text(percent_of(year.reporting, registered)),
        year,
    };
    let cooperative_part = |registered: i64, year: CooperativeYear| CooperativeEconomy {
        registered,
        coverage_percent: text(percent_of(year.reporting, registered)),
        year,
    };
    let years = (from..=to)
        .zip(ukm.into_iter().zip(cooperatives))
        .map(|(year, (ukm, cooperatives))| {
            let mut ukm_whole = UkmYear::default();
            let mut cooperative_whole = CooperativeYear::default();
            let parts: Vec<KecamatanEconomy> = kecamatan
                .iter()
                .map(|(code, name)| {
                    let u = ukm.get(code).copied().unwrap_or_default();
                    let c = cooperatives.get(code).copied().unwrap_or_default();
                    ukm_whole.add(&u);
                    cooperative_whole.add(&c);
                    KecamatanEconomy {
                        kecamatan_code: code.clone(),
                        kecamatan_name: name.clone(),
                        ukm: ukm_part(ukm_registered.get(code).copied().unwrap_or(0), u),
                        cooperatives: cooperative_part(
                            cooperatives_registered.get(code).copied().unwrap_or(0),
                            c,
                        ),
                    }
                })
                .collect();
            let pdrb = loaded.pdrb.iter().find(|p| p.year == year);
            let output = registry_output(&ukm_whole, &cooperative_whole);
            EconomyYearFigures {
                year,
                pdrb: pdrb.map(|p| PdrbFigures {
                    current_prices: p.pdrb_current_prices,
                    constant_prices: p.pdrb_constant_prices,
                    source: p.pdrb_source.clone(),
                    status: p.pdrb_status,
                }),
                published_share: pdrb.and_then(published_share_of),
                registry_output: output,
                proxy_share_percent: text(
                    pdrb.and_then(|p| proxy_share(output, p.pdrb_current_prices)),
                ),
                target: loaded.target.clone(),
                ukm: ukm_part(registered_ukm, ukm_whole),
                cooperatives: cooperative_part(registered_cooperatives, cooperative_whole),
                kecamatan: group_by.map(|_| parts),
            }
        })
        .collect();
    EconomyView {
        from_year: from,
        to_year: to,
        group_by,
        target: loaded.target,
        years,
    }
}
