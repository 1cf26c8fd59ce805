//! Monitoring and evaluation (docs/domain.md, "Evaluation and outcome"): the indicators a team compares
//! between the case's baseline and now, and the evidence the rule for `bagus` reads when a case
//! closes. Both are read from the registries, never typed in: cooperatives' annual reports and
//! health assessments, UKM yearly figures.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::health::Predicate;
use super::outcome::Evidence;
use crate::cooperative::{UnknownValue, text_enum};
use crate::size_class::SizeClass;

text_enum!(
    /// What an evaluation compares. Cooperatives: `rat_held`, `shu`, `members`, `predicate`;
    /// UKM: `turnover`, `workers`, `size_class`.
    IndicatorName {
        RatHeld => "rat_held",
        Shu => "shu",
        Members => "members",
        Predicate => "predicate",
        Turnover => "turnover",
        Workers => "workers",
        SizeClass => "size_class",
    }
);

/// A value of an indicator: a yes/no (`rat_held`), a whole number (rupiah or people), or a
/// label (`predicate`, `size_class`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum IndicatorValue {
    Flag(bool),
    Number(i64),
    Label(String),
}

/// One indicator at the baseline and now, with the book year each value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Indicator {
    pub indicator: IndicatorName,
    pub baseline: Option<IndicatorValue>,
    pub baseline_year: Option<i32>,
    pub current: Option<IndicatorValue>,
    pub current_year: Option<i32>,
}

/// A cooperative's annual report, as far as the evaluation reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CooperativeYear {
    pub book_year: i32,
    pub rat_held: bool,
    pub shu: Option<i64>,
    pub members: Option<i64>,
}

/// A UKM's yearly figures, with the size class its turnover gives under the rules of that year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UkmYear {
    pub year: i32,
    pub turnover: Option<i64>,
    pub workers: Option<i64>,
    pub size_class: Option<SizeClass>,
}

trait Yearly {
    fn year(&self) -> i32;
}
impl Yearly for CooperativeYear {
    fn year(&self) -> i32 {
        self.book_year
    }
}
impl Yearly for UkmYear {
    fn year(&self) -> i32 {
        self.year
    }
}

/// The baseline is the last year closed before the case was registered (else the earliest year
/// on record); the current value is the latest year on record.
fn baseline_and_current<T: Yearly>(
    years: &[T],
    registration_year: i32,
) -> (Option<&T>, Option<&T>) {
    let baseline = years
        .iter()
        .filter(|y| y.year() < registration_year)
        .max_by_key(|y| y.year())
        .or_else(|| years.iter().min_by_key(|y| y.year()));
    let current = years.iter().max_by_key(|y| y.year());
    (baseline, current)
}

fn indicator<T>(
    name: IndicatorName,
    baseline: Option<&T>,
    current: Option<&T>,
    year: impl Fn(&T) -> i32,
    value: impl Fn(&T) -> Option<IndicatorValue>,
) -> Indicator {
    Indicator {
        indicator: name,
        baseline: baseline.and_then(&value),
        baseline_year: baseline.map(&year),
        current: current.and_then(&value),
        current_year: current.map(&year),
    }
}

/// A cooperative's indicators: RAT held, SHU and members from its annual reports; the predicate
/// of the case's first and latest final health assessments.
pub fn cooperative_indicators(
    reports: &[CooperativeYear],
    registration_year: i32,
    baseline_predicate: Option<Predicate>,
    latest_predicate: Option<Predicate>,
) -> Vec<Indicator> {
    let (baseline, current) = baseline_and_current(reports, registration_year);
    let year = |r: &CooperativeYear| r.book_year;
    vec![
        indicator(IndicatorName::RatHeld, baseline, current, year, |r| {
            Some(IndicatorValue::Flag(r.rat_held))
        }),
        indicator(IndicatorName::Shu, baseline, current, year, |r| {
            r.shu.map(IndicatorValue::Number)
        }),
        indicator(IndicatorName::Members, baseline, current, year, |r| {
            r.members.map(IndicatorValue::Number)
        }),
        Indicator {
            indicator: IndicatorName::Predicate,
            baseline: baseline_predicate.map(|p| IndicatorValue::Label(p.as_str().into())),
            baseline_year: None,
            current: latest_predicate.map(|p| IndicatorValue::Label(p.as_str().into())),
            current_year: None,
        },
    ]
}

/// A UKM's indicators: turnover, workers and size class from its yearly figures.
pub fn ukm_indicators(figures: &[UkmYear], registration_year: i32) -> Vec<Indicator> {
    let (baseline, current) = baseline_and_current(figures, registration_year);
    let year = |f: &UkmYear| f.year;
    vec![
        indicator(IndicatorName::Turnover, baseline, current, year, |f| {
            f.turnover.map(IndicatorValue::Number)
        }),
        indicator(IndicatorName::Workers, baseline, current, year, |f| {
            f.workers.map(IndicatorValue::Number)
        }),
        indicator(IndicatorName::SizeClass, baseline, current, year, |f| {
            f.size_class
                .map(|s| IndicatorValue::Label(s.as_str().into()))
        }),
    ]
}

/// The evidence for a cooperative other than a savings-and-loan one, closing in `closing_year`:
/// the last book year is the one before.
pub fn cooperative_evidence(
    reports: &[CooperativeYear],
    closing_year: i32,
    active: bool,
) -> Evidence {
    let of = |year: i32| reports.iter().find(|r| r.book_year == year);
    let last = of(closing_year - 1);
    Evidence::Cooperative {
        rat_held_last_book_year: last.is_some_and(|r| r.rat_held),
        shu_last: last.and_then(|r| r.shu),
        shu_previous: of(closing_year - 2).and_then(|r| r.shu),
        active,
    }
}

/// A size class's rank, so that moving up compares as a number.
pub fn size_rank(class: SizeClass) -> u8 {
    match class {
        SizeClass::Mikro => 0,
        SizeClass::Kecil => 1,
        SizeClass::Menengah => 2,
        SizeClass::Besar => 3,
    }
}

/// The evidence for a UKM: its baseline and latest figures as the evaluation reads them.
pub fn ukm_evidence(figures: &[UkmYear], registration_year: i32, active: bool) -> Evidence {
    let (baseline, current) = baseline_and_current(figures, registration_year);
    Evidence::Ukm {
        active,
        turnover_baseline: baseline.and_then(|f| f.turnover),
        turnover_latest: current.and_then(|f| f.turnover),
        size_baseline: baseline.and_then(|f| f.size_class).map(size_rank),
        size_latest: current.and_then(|f| f.size_class).map(size_rank),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clinic::outcome::meets_default_rule;

    fn report(book_year: i32, rat_held: bool, shu: i64) -> CooperativeYear {
        CooperativeYear {
            book_year,
            rat_held,
            shu: Some(shu),
            members: Some(100 + i64::from(book_year - 2010)),
        }
    }

    fn figures(year: i32, turnover: i64, size: SizeClass) -> UkmYear {
        UkmYear {
            year,
            turnover: Some(turnover),
            workers: Some(3),
            size_class: Some(size),
        }
    }

    #[test]
    fn the_baseline_is_the_last_year_closed_before_registration() {
        let reports = [
            report(2015, false, 1),
            report(2016, true, 2),
            report(2018, true, 3),
        ];
        let indicators = cooperative_indicators(&reports, 2017, None, Some(Predicate::Sehat));
        let shu = &indicators[1];
        assert_eq!(shu.indicator, IndicatorName::Shu);
        assert_eq!(
            (shu.baseline_year, shu.current_year),
            (Some(2016), Some(2018))
        );
        assert_eq!(shu.baseline, Some(IndicatorValue::Number(2)));
        assert_eq!(shu.current, Some(IndicatorValue::Number(3)));
        let predicate = &indicators[3];
        assert_eq!(predicate.baseline, None);
        assert_eq!(
            predicate.current,
            Some(IndicatorValue::Label("sehat".into()))
        );
    }

    #[test]
    fn without_an_earlier_year_the_baseline_is_the_earliest_on_record() {
        let reports = [report(2018, true, 3), report(2017, false, 1)];
        let rat = &cooperative_indicators(&reports, 2017, None, None)[0];
        assert_eq!(
            (rat.baseline_year, rat.current_year),
            (Some(2017), Some(2018))
        );
        assert_eq!(rat.baseline, Some(IndicatorValue::Flag(false)));
        assert!(
            cooperative_indicators(&[], 2017, None, None)
                .iter()
                .all(|i| i.baseline.is_none() && i.current.is_none())
        );
    }

    #[test]
    fn a_cooperative_is_good_with_rat_last_year_and_shu_kept() {
        let reports = [report(2023, true, 10), report(2024, true, 10)];
        assert!(meets_default_rule(&cooperative_evidence(
            &reports, 2025, true
        )));
        // One rupiah less SHU than the year before is not kept.
        let lower = [report(2023, true, 10), report(2024, true, 9)];
        assert!(!meets_default_rule(&cooperative_evidence(
            &lower, 2025, true
        )));
        // The report must be of the last book year, not an older one.
        assert!(!meets_default_rule(&cooperative_evidence(
            &reports, 2026, true
        )));
        assert!(!meets_default_rule(&cooperative_evidence(
            &reports, 2025, false
        )));
    }

    #[test]
    fn a_ukm_is_good_when_turnover_grows_or_it_moves_up_a_class() {
        let grew = [
            figures(2016, 100, SizeClass::Mikro),
            figures(2018, 101, SizeClass::Mikro),
        ];
        assert!(meets_default_rule(&ukm_evidence(&grew, 2017, true)));
        let same = [
            figures(2016, 100, SizeClass::Mikro),
            figures(2018, 100, SizeClass::Mikro),
        ];
        assert!(!meets_default_rule(&ukm_evidence(&same, 2017, true)));
        let moved_up = [
            figures(2016, 100, SizeClass::Mikro),
            figures(2018, 90, SizeClass::Kecil),
        ];
        assert!(meets_default_rule(&ukm_evidence(&moved_up, 2017, true)));
        assert!(!meets_default_rule(&ukm_evidence(&grew, 2017, false)));
        assert_eq!(
            ukm_indicators(&grew, 2017)[2].current,
            Some(IndicatorValue::Label("mikro".into()))
        );
    }
}
