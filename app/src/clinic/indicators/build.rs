//! Turns the stored rows into the indicators: facts for the domain's arithmetic, per year and
//! cumulative, for the area and (when asked) each kecamatan or kabupaten/kota.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, Utc};
use klinik_domain::activity_status::{ActivityRule, ActivityStatus, RatEvidence};
use klinik_domain::clinic::indicators::{
    CaseFact, CooperativeFact, FindingFact, Period, Ratio, RecommendationFact, clinic_figures,
    cooperative_ratios,
};
use klinik_domain::clinic::outcome::Evidence;
use klinik_domain::ukm::UkmStatus;
use klinik_persistence::annual_reports;
use klinik_persistence::clinic::indicators::{self as store, ClinicRows};
use klinik_persistence::clinic::partners;
use klinik_persistence::clinic::programmes::ProgrammeRow;

use klinik_domain::regions::Level;

use super::dto::{
    BankName, Indicators, KabupatenKotaIndicators, KecamatanIndicators, PeriodIndicators,
    PlaceIndicators, RegistryFigures, Targets,
};
use crate::prelude::*;
use crate::state::RegionIndex;

/// What to count: one programme over its horizon, or every programme over a range of years.
pub struct Scope {
    pub programme: Option<ProgrammeRow>,
    pub from_year: i32,
    pub to_year: i32,
    /// The places to break the figures down by, if any.
    pub group_by: Option<Level>,
}

/// Everything counted, tagged with its kecamatan.
#[derive(Default)]
struct Facts {
    cases: Vec<CaseFact>,
    findings: Vec<FindingFact>,
    recommendations: Vec<RecommendationFact>,
    cooperatives: Vec<CooperativeFact>,
    /// `(kecamatan, status, count)` of registered UKM.
    ukm: Vec<(String, UkmStatus, i64)>,
    /// `(kecamatan, start year, count)` of registered UKM that started within the range or later.
    ukm_started: Vec<(String, i32, i64)>,
    /// `(kecamatan, year, count)` of UKM reporting a turnover.
    ukm_reporting: Vec<(String, i32, i64)>,
}

impl Facts {
    /// The facts of each place of a level, keyed by the place's code (the first `len`
    /// characters of the kecamatan code), each fact copied once.
    fn split(&self, level: Level) -> HashMap<&str, Facts> {
        let len = level.code_len();
        fn key(kecamatan: &str, len: usize) -> &str {
            kecamatan.get(..len).unwrap_or_default()
        }
        let key = |kecamatan| key(kecamatan, len);
        let mut places: HashMap<&str, Facts> = HashMap::new();
        for c in &self.cases {
            places
                .entry(key(&c.kecamatan_code))
                .or_default()
                .cases
                .push(c.clone());
        }
        for f in &self.findings {
            places
                .entry(key(&f.kecamatan_code))
                .or_default()
                .findings
                .push(f.clone());
        }
        for r in &self.recommendations {
            let place = places.entry(key(&r.kecamatan_code)).or_default();
            place.recommendations.push(r.clone());
        }
        for c in &self.cooperatives {
            let place = places.entry(key(&c.kecamatan_code)).or_default();
            place.cooperatives.push(c.clone());
        }
        for (k, status, n) in &self.ukm {
            places
                .entry(key(k))
                .or_default()
                .ukm
                .push((k.clone(), *status, *n));
        }
        for (k, start, n) in &self.ukm_started {
            let place = places.entry(key(k)).or_default();
            place.ukm_started.push((k.clone(), *start, *n));
        }
        for (k, year, n) in &self.ukm_reporting {
            let place = places.entry(key(k)).or_default();
            place.ukm_reporting.push((k.clone(), *year, *n));
        }
        places
    }
}

fn clinic_facts(regions: &RegionIndex, rows: ClinicRows) -> Result<Facts, Error> {
    let kecamatan_of = |kelurahan: &str| {
        regions
            .kelurahan(kelurahan)
            .map(|k| k.kecamatan_code.clone())
            .unwrap_or_default()
    };
    let cooperative_at: HashMap<CooperativeId, String> = rows
        .cooperative_places
        .iter()
        .map(|(id, kel)| (*id, kecamatan_of(kel)))
        .collect();
    let ukm_at: HashMap<UkmId, String> = rows
        .ukm_places
        .iter()
        .map(|(id, kel)| (*id, kecamatan_of(kel)))
        .collect();
    let case_at: HashMap<CaseId, String> = rows
        .cases
        .iter()
        .map(|c| {
            let place = match (c.cooperative_id, c.ukm_id) {
                (Some(id), _) => cooperative_at.get(&id),
                (None, Some(id)) => ukm_at.get(&id),
                (None, None) => None,
            };
            (c.id, place.cloned().unwrap_or_default())
        })
        .collect();
    let superseded: HashSet<DiagnosisId> =
        rows.finals.iter().filter_map(|d| d.supersedes_id).collect();
    let diagnosed_on: HashMap<DiagnosisId, chrono::NaiveDate> =
        rows.finals.iter().map(|d| (d.id, d.diagnosed_on)).collect();
    let outcomes: HashMap<CaseId, _> = rows.outcomes.iter().map(|o| (o.case_id, o)).collect();
    let mut cases = Vec::with_capacity(rows.cases.len());
    for c in &rows.cases {
        let finals: Vec<_> = rows.finals.iter().filter(|d| d.case_id == c.id).collect();
        let predicates: Vec<_> = finals
            .iter()
            .filter_map(|d| d.assessment_predicate)
            .collect();
        let outcome = outcomes
            .get(&c.id)
            .map(|o| (o.outcome, o.decided_on, o.evidence.as_str()));
        let moved_up = outcome.is_some_and(|(_, _, evidence)| {
            matches!(
                serde_json::from_str::<Evidence>(evidence),
                Ok(Evidence::Ukm { size_baseline: Some(before), size_latest: Some(now), .. }) if now > before
            )
        });
        cases.push(CaseFact {
            subject_kind: c.subject_kind,
            kecamatan_code: case_at.get(&c.id).cloned().unwrap_or_default(),
            registered_on: c.registered_on,
            status: c.status,
            first_final_on: finals.first().map(|d| d.diagnosed_on),
            baseline_predicate: predicates.first().copied(),
            latest_predicate: predicates.last().copied(),
            outcome: outcome.map(|(o, on, _)| (o, on)),
            moved_up,
        });
    }
    let current: HashMap<DiagnosisId, (CaseId, chrono::NaiveDate)> = rows
        .finals
        .iter()
        .filter(|d| !superseded.contains(&d.id))
        .map(|d| (d.id, (d.case_id, d.diagnosed_on)))
        .collect();
    let findings = rows
        .findings
        .iter()
        .filter_map(|f| {
            current
                .get(&f.diagnosis_id)
                .map(|(case, on)| (f, *case, *on))
        })
        .map(|(f, case, on)| FindingFact {
            kecamatan_code: case_at.get(&case).cloned().unwrap_or_default(),
            diagnosed_on: on,
            category: f.category,
        })
        .collect();
    let recommendations = rows
        .recommendations
        .iter()
        .map(|r| RecommendationFact {
            kecamatan_code: case_at.get(&r.case_id).cloned().unwrap_or_default(),
            diagnosed_on: diagnosed_on
                .get(&r.diagnosis_id)
                .copied()
                .unwrap_or_default(),
            kind: r.kind,
            status: r.status,
            financing_scheme: r.financing_scheme,
            bank_partner_id: r.bank_partner_id.map(|id| id.get()),
            requested: r.amount_requested,
            approved: r.amount_approved,
            disbursed: r.amount_disbursed,
        })
        .collect();
    Ok(Facts {
        cases,
        findings,
        recommendations,
        cooperatives: Vec::new(),
        ukm: Vec::new(),
        ukm_started: Vec::new(),
        ukm_reporting: Vec::new(),
    })
}

fn registry_facts(
    conn: &mut AnyConnection,
    regions: &RegionIndex,
    facts: &mut Facts,
    scope: &Scope,
) -> Result<(), Error> {
    let kecamatan_of = |kelurahan: &str| {
        regions
            .kelurahan(kelurahan)
            .map(|k| k.kecamatan_code.clone())
            .unwrap_or_default()
    };
    let mut reports: HashMap<CooperativeId, Vec<RatEvidence>> = HashMap::new();
    for (id, book_year, rat_held) in annual_reports::all_rat_evidence(conn)? {
        reports.entry(id).or_default().push(RatEvidence {
            book_year,
            rat_held,
        });
    }
    facts.cooperatives = store::cooperatives(conn)?
        .into_iter()
        .map(|(id, kelurahan, since, status)| CooperativeFact {
            kecamatan_code: kecamatan_of(&kelurahan),
            since,
            active_now: status == ActivityStatus::Aktif,
            reports: reports.remove(&id).unwrap_or_default(),
        })
        .collect();
    facts.ukm = store::ukm_by_status(conn)?
        .into_iter()
        .map(|(kelurahan, status, n)| (kecamatan_of(&kelurahan), status, n))
        .collect();
    facts.ukm_started = store::ukm_started_since(conn, scope.from_year)?
        .into_iter()
        .filter_map(|(kelurahan, start, n)| Some((kecamatan_of(&kelurahan), start?, n)))
        .collect();
    facts.ukm_reporting = store::ukm_reporting(conn, scope.from_year, scope.to_year)?
        .into_iter()
        .map(|(kelurahan, year, n)| (kecamatan_of(&kelurahan), year, n))
        .collect();
    Ok(())
}

/// The figures of one period over `facts` (the whole area's, or one place's).
fn period(
    facts: &Facts,
    year: Option<i32>,
    scope: &Scope,
    rule: ActivityRule,
    targets: Targets,
) -> PeriodIndicators {
    let cases: Vec<&CaseFact> = facts.cases.iter().collect();
    let findings: Vec<&FindingFact> = facts.findings.iter().collect();
    let recommendations: Vec<&RecommendationFact> = facts.recommendations.iter().collect();
    let range = match year {
        Some(year) => Period::year(year),
        None => Period {
            from_year: scope.from_year,
            to_year: scope.to_year,
        },
    };
    let cooperatives: Vec<&CooperativeFact> = facts.cooperatives.iter().collect();
    let this_year = Utc::now().date_naive().year();
    let (cooperatives_active, rat_compliance) =
        cooperative_ratios(&cooperatives, rule, year, this_year);
    let mut ukm_active = Ratio::default();
    for (_, status, n) in &facts.ukm {
        ukm_active.of += n;
        if year.is_none() && *status == UkmStatus::Aktif {
            ukm_active.count += n;
        }
    }
    if let Some(year) = year {
        // Those that started after the year did not exist at its end.
        ukm_active.of -= facts
            .ukm_started
            .iter()
            .filter(|(_, start, _)| *start > year)
            .map(|(_, _, n)| n)
            .sum::<i64>();
        ukm_active.count = facts
            .ukm_reporting
            .iter()
            .filter(|(_, y, _)| *y == year)
            .map(|(_, _, n)| n)
            .sum();
    }
    PeriodIndicators {
        year,
        targets,
        clinic: clinic_figures(&cases, &findings, &recommendations, range),
        registry: RegistryFigures {
            cooperatives_active,
            ukm_active,
            rat_compliance,
        },
    }
}

/// The targets of each year and of the whole range, from the programmes in scope.
fn targets(programmes: &[ProgrammeRow], year: Option<i32>, scope: &Scope) -> Targets {
    let counted: Vec<&ProgrammeRow> = programmes
        .iter()
        .filter(|p| match year {
            Some(year) => p.year == year,
            None => (scope.from_year..=scope.to_year).contains(&p.year),
        })
        .collect();
    if counted.is_empty() {
        return Targets::default();
    }
    let sum = |f: &dyn Fn(&ProgrammeRow) -> Option<i32>| -> Option<i64> {
        let values: Vec<i64> = counted.iter().filter_map(|p| f(p)).map(i64::from).collect();
        (!values.is_empty()).then(|| values.iter().sum())
    };
    Targets {
        cooperatives_helped: sum(&|p| Some(p.target_cooperatives_helped)),
        cooperatives_good: sum(&|p| Some(p.target_cooperatives_good)),
        ukm_helped: sum(&|p| p.target_ukm_helped),
        ukm_good: sum(&|p| p.target_ukm_good),
    }
}

/// Reads and counts everything in scope.
pub fn indicators(
    conn: &mut AnyConnection,
    regions: &RegionIndex,
    rule: ActivityRule,
    scope: Scope,
) -> Result<Indicators, Error> {
    let programme_id = scope.programme.as_ref().map(|p| p.id);
    let rows = store::clinic_rows(conn, programme_id)?;
    let mut facts = clinic_facts(regions, rows)?;
    registry_facts(conn, regions, &mut facts, &scope)?;
    let programmes = match &scope.programme {
        Some(p) => vec![p.clone()],
        None => store::programmes(conn)?,
    };
    let mut bank_ids: Vec<klinik_persistence::PartnerId> = facts
        .recommendations
        .iter()
        .filter_map(|r| r.bank_partner_id.map(klinik_persistence::PartnerId))
        .collect();
    bank_ids.sort_unstable();
    bank_ids.dedup();
    let banks = partners::names(conn, &bank_ids)?
        .into_iter()
        .map(|(partner_id, name)| BankName {
            partner_id: partner_id.get(),
            name,
        })
        .collect();
    let years: Vec<i32> = (scope.from_year..=scope.to_year).collect();
    let figures_of = |facts: &Facts, area: bool| {
        // Targets are the area's: a programme sets none per place.
        let target = |year| {
            if area {
                targets(&programmes, year, &scope)
            } else {
                Targets::default()
            }
        };
        let per_year = years
            .iter()
            .map(|y| period(facts, Some(*y), &scope, rule, target(Some(*y))))
            .collect();
        let cumulative = period(facts, None, &scope, rule, target(None));
        (per_year, cumulative)
    };
    let (per_year, cumulative) = figures_of(&facts, true);
    let by_place = |level: Level| -> Vec<PlaceIndicators> {
        let places = facts.split(level);
        let nothing = Facts::default();
        regions
            .places(level)
            .map(|place| {
                let (years, cumulative) =
                    figures_of(places.get(place.code.as_str()).unwrap_or(&nothing), false);
                PlaceIndicators {
                    code: place.code.clone(),
                    name: place.name.clone(),
                    years,
                    cumulative,
                }
            })
            .collect()
    };
    let by_kecamatan = (scope.group_by == Some(Level::Kecamatan)).then(|| {
        by_place(Level::Kecamatan)
            .into_iter()
            .map(KecamatanIndicators::from)
            .collect()
    });
    let by_kabupaten_kota = (scope.group_by == Some(Level::KabupatenKota)).then(|| {
        by_place(Level::KabupatenKota)
            .into_iter()
            .map(KabupatenKotaIndicators::from)
            .collect()
    });
    Ok(Indicators {
        programme_id: programme_id.map(|id| id.get()),
        from_year: scope.from_year,
        to_year: scope.to_year,
        banks,
        years: per_year,
        cumulative,
        by_kecamatan,
        by_kabupaten_kota,
    })
}
