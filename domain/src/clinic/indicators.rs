//! Programme indicators (docs/domain.md, "Programme indicators"): what the office reports,
//! counted from facts about cases, findings and recommendations. Each figure is attributed to a
//! year by one date, named on its field, so that a year's figures and the lists' filters agree:
//!
//! - helped: the case's first final diagnosis (`diagnosed_on`);
//! - good outcomes, outcomes and UKM moved up: the closing (`decided_on`);
//! - the funnel: the registration (`registered_on`), by the case's status now;
//! - predicate movement: the first final diagnosis, baseline to latest assessment;
//! - problem categories, recommendations and capital: the diagnosis they belong to.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::case::CaseStatus;
use super::health::Predicate;
use super::outcome::Outcome;
use super::recommendation::{FinancingScheme, RecommendationKind, RecommendationStatus};
use super::{ProblemCategory, SubjectKind};

/// One case, as far as the indicators read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFact {
    pub subject_kind: SubjectKind,
    pub kecamatan_code: String,
    pub registered_on: NaiveDate,
    pub status: CaseStatus,
    pub first_final_on: Option<NaiveDate>,
    pub baseline_predicate: Option<Predicate>,
    pub latest_predicate: Option<Predicate>,
    pub outcome: Option<(Outcome, NaiveDate)>,
    /// A UKM whose size class at closing is above its baseline's.
    pub moved_up: bool,
}

/// A finding of a final diagnosis that no later one amends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingFact {
    pub kecamatan_code: String,
    pub diagnosed_on: NaiveDate,
    pub category: ProblemCategory,
}

/// A recommendation, dated by its diagnosis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecommendationFact {
    pub kecamatan_code: String,
    pub diagnosed_on: NaiveDate,
    pub kind: RecommendationKind,
    pub status: RecommendationStatus,
    pub financing_scheme: Option<FinancingScheme>,
    pub bank_partner_id: Option<i64>,
    pub requested: Option<i64>,
    pub approved: Option<i64>,
    pub disbursed: Option<i64>,
}

/// Which dates count: one year, or every year of a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from_year: i32,
    pub to_year: i32,
}

impl Period {
    pub fn year(year: i32) -> Self {
        Period {
            from_year: year,
            to_year: year,
        }
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        (self.from_year..=self.to_year).contains(&day.year())
    }
}

macro_rules! count_struct {
    ($(#[$meta:meta])* $name:ident, $field:ident: $ty:ty) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct $name {
            pub $field: $ty,
            pub count: i64,
        }
    };
}

count_struct!(
    /// Cases in one status.
    StatusCount, status: CaseStatus
);
count_struct!(
    /// Closed cases with one outcome.
    OutcomeCount, outcome: Outcome
);
count_struct!(
    /// Findings of one problem category.
    CategoryCount, category: ProblemCategory
);
count_struct!(
    /// Recommendations of one kind.
    KindCount, kind: RecommendationKind
);

/// Cases whose assessment moved from `from` (baseline; `null`: none) to `to` (latest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PredicateMovement {
    pub from: Option<Predicate>,
    pub to: Predicate,
    pub count: i64,
}

/// Capital of the recommendations in one group: how many, and the rupiah requested, approved and
/// disbursed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapitalSum {
    pub recommendations: i64,
    pub requested: i64,
    pub approved: i64,
    pub disbursed: i64,
}

impl CapitalSum {
    fn add(&mut self, r: &RecommendationFact) {
        self.recommendations += 1;
        self.requested += r.requested.unwrap_or(0);
        self.approved += r.approved.unwrap_or(0);
        self.disbursed += r.disbursed.unwrap_or(0);
    }
}

/// Capital by financing scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchemeCapital {
    pub financing_scheme: FinancingScheme,
    #[serde(flatten)]
    pub sum: CapitalSum,
}

/// Capital by partner bank (`null`: no bank named).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BankCapital {
    pub bank_partner_id: Option<i64>,
    #[serde(flatten)]
    pub sum: CapitalSum,
}

/// The clinic's figures for one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClinicFigures {
    /// Cooperative cases whose first final diagnosis falls in the period.
    pub cooperatives_helped: i64,
    /// UKM cases whose first final diagnosis falls in the period.
    pub ukm_helped: i64,
    /// Cooperative cases closed `bagus` in the period.
    pub cooperatives_good: i64,
    /// UKM cases closed `bagus` in the period.
    pub ukm_good: i64,
    /// Cases closed in the period, by outcome (all four, zeros included).
    pub outcomes: Vec<OutcomeCount>,
    /// Cases registered in the period, by their status now (all ten, zeros included).
    pub funnel: Vec<StatusCount>,
    /// Cases helped in the period, by baseline and latest predicate.
    pub predicate_movement: Vec<PredicateMovement>,
    /// Findings of the period's current final diagnoses, most frequent first.
    pub problem_categories: Vec<CategoryCount>,
    /// Recommendations of the period's diagnoses that are done, by kind (kinds with none left out).
    pub recommendations_done: Vec<KindCount>,
    pub capital_by_scheme: Vec<SchemeCapital>,
    pub capital_by_bank: Vec<BankCapital>,
    /// UKM cases closed in the period whose size class went up.
    pub ukm_moved_up: i64,
    /// Days from registration to the first final diagnosis, for the cases helped in the period:
    /// the lower median (an observed value); `null` when none.
    pub median_days_to_final_diagnosis: Option<i64>,
}

/// Counts the clinic's figures of `period` over the given facts.
pub fn clinic_figures(
    cases: &[&CaseFact],
    findings: &[&FindingFact],
    recommendations: &[&RecommendationFact],
    period: Period,
) -> ClinicFigures {
    let helped: Vec<&&CaseFact> = cases
        .iter()
        .filter(|c| c.first_final_on.is_some_and(|d| period.contains(d)))
        .collect();
    let closed: Vec<(&CaseFact, Outcome)> = cases
        .iter()
        .filter_map(|c| match c.outcome {
            Some((outcome, on)) if period.contains(on) => Some((*c, outcome)),
            _ => None,
        })
        .collect();
    let of_kind = |kind: SubjectKind| helped.iter().filter(|c| c.subject_kind == kind).count();
    let good = |kind: SubjectKind| {
        closed
            .iter()
            .filter(|(c, o)| c.subject_kind == kind && *o == Outcome::Bagus)
            .count()
    };
    let mut movement: Vec<PredicateMovement> = Vec::new();
    for case in &helped {
        if let Some(to) = case.latest_predicate {
            match movement
                .iter_mut()
                .find(|m| m.from == case.baseline_predicate && m.to == to)
            {
                Some(m) => m.count += 1,
                None => movement.push(PredicateMovement {
                    from: case.baseline_predicate,
                    to,
                    count: 1,
                }),
            }
        }
    }
    movement.sort_by_key(|m| (m.from.map(rank), rank(m.to)));
    let mut categories: Vec<CategoryCount> = ProblemCategory::ALL
        .iter()
        .map(|category| CategoryCount {
            category: *category,
            count: count(
                findings
                    .iter()
                    .filter(|f| f.category == *category && period.contains(f.diagnosed_on)),
            ),
        })
        .filter(|c| c.count > 0)
        .collect();
    // Most frequent first; ties in the published order of categories (a stable sort).
    categories.sort_by_key(|c| std::cmp::Reverse(c.count));
    let in_period: Vec<&&RecommendationFact> = recommendations
        .iter()
        .filter(|r| period.contains(r.diagnosed_on))
        .collect();
    let done = RecommendationKind::ALL
        .iter()
        .map(|kind| KindCount {
            kind: *kind,
            count: count(
                in_period
                    .iter()
                    .filter(|r| r.kind == *kind && r.status == RecommendationStatus::Done),
            ),
        })
        .filter(|k| k.count > 0)
        .collect();
    let capital: Vec<&&&RecommendationFact> = in_period
        .iter()
        .filter(|r| r.financing_scheme.is_some())
        .collect();
    let by_scheme = FinancingScheme::ALL
        .iter()
        .filter_map(|scheme| {
            let mut sum = CapitalSum::default();
            for r in capital
                .iter()
                .filter(|r| r.financing_scheme == Some(*scheme))
            {
                sum.add(r);
            }
            (sum.recommendations > 0).then_some(SchemeCapital {
                financing_scheme: *scheme,
                sum,
            })
        })
        .collect();
    let mut banks: Vec<Option<i64>> = capital.iter().map(|r| r.bank_partner_id).collect();
    banks.sort();
    banks.dedup();
    let by_bank = banks
        .into_iter()
        .map(|bank| {
            let mut sum = CapitalSum::default();
            for r in capital.iter().filter(|r| r.bank_partner_id == bank) {
                sum.add(r);
            }
            BankCapital {
                bank_partner_id: bank,
                sum,
            }
        })
        .collect();
    let mut days: Vec<i64> = helped
        .iter()
        .filter_map(|c| c.first_final_on.map(|d| (d - c.registered_on).num_days()))
        .collect();
    days.sort_unstable();
    ClinicFigures {
        cooperatives_helped: as_count(of_kind(SubjectKind::Cooperative)),
        ukm_helped: as_count(of_kind(SubjectKind::Ukm)),
        cooperatives_good: as_count(good(SubjectKind::Cooperative)),
        ukm_good: as_count(good(SubjectKind::Ukm)),
        outcomes: Outcome::ALL
            .iter()
            .map(|outcome| OutcomeCount {
                outcome: *outcome,
                count: count(closed.iter().filter(|(_, o)| o == outcome)),
            })
            .collect(),
        funnel: CaseStatus::ALL
            .iter()
            .map(|status| StatusCount {
                status: *status,
                count: count(
                    cases
                        .iter()
                        .filter(|c| c.status == *status && period.contains(c.registered_on)),
                ),
            })
            .collect(),
        predicate_movement: movement,
        problem_categories: categories,
        recommendations_done: done,
        capital_by_scheme: by_scheme,
        capital_by_bank: by_bank,
        ukm_moved_up: count(
            closed
                .iter()
                .filter(|(c, _)| c.subject_kind == SubjectKind::Ukm && c.moved_up),
        ),
        median_days_to_final_diagnosis: (!days.is_empty()).then(|| days[(days.len() - 1) / 2]),
    }
}

/// `count` of `of`: active cooperatives of all, say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ratio {
    pub count: i64,
    pub of: i64,
}

impl Ratio {
    pub fn add(&mut self, other: Ratio) {
        self.count += other.count;
        self.of += other.of;
    }
}

/// A cooperative, as far as the registry's ratios read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CooperativeFact {
    pub kecamatan_code: String,
    /// Its legal entity date; `None` (unknown) counts it as existing in every year.
    pub since: Option<NaiveDate>,
    pub active_now: bool,
    pub reports: Vec<crate::activity_status::RatEvidence>,
}

/// The registry's ratios for cooperatives at the end of `year` (`None`: now): active under `rule`
/// (now: the stored status), and RAT compliance (RAT held for the book year before).
pub fn cooperative_ratios(
    cooperatives: &[&CooperativeFact],
    rule: crate::activity_status::ActivityRule,
    year: Option<i32>,
    this_year: i32,
) -> (Ratio, Ratio) {
    let mut active = Ratio::default();
    let mut rat = Ratio::default();
    let as_of = year.unwrap_or(this_year);
    for c in cooperatives {
        if c.since.is_some_and(|since| since.year() > as_of) {
            continue;
        }
        active.of += 1;
        rat.of += 1;
        let is_active = match year {
            None => c.active_now,
            Some(year) => {
                rule.evaluate(year, &c.reports) == crate::activity_status::ActivityStatus::Aktif
            }
        };
        active.count += i64::from(is_active);
        rat.count += i64::from(
            c.reports
                .iter()
                .any(|r| r.book_year == as_of - 1 && r.rat_held),
        );
    }
    (active, rat)
}

fn rank(p: Predicate) -> u8 {
    match p {
        Predicate::DalamPengawasanKhusus => 0,
        Predicate::DalamPengawasan => 1,
        Predicate::CukupSehat => 2,
        Predicate::Sehat => 3,
    }
}

fn as_count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn count<I: Iterator>(items: I) -> i64 {
    as_count(items.count())
}

#[cfg(test)]
mod tests;
