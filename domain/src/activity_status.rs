//! Activity status of a cooperative, computed from its annual reports by a named rule
//! (docs/domain.md, "Annual reports and the activity status"). The rule is configuration: the office may tighten it.

use crate::cooperative::{UnknownValue, text_enum};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

text_enum!(
    /// Status keaktifan: `aktif` (active), `tidak_aktif` (inactive), `diusulkan_bubar` (dissolution
    /// proposed to the ministry), `dibubarkan` (dissolved; terminal).
    ActivityStatus {
        Aktif => "aktif",
        TidakAktif => "tidak_aktif",
        DiusulkanBubar => "diusulkan_bubar",
        Dibubarkan => "dibubarkan",
    }
);

/// What a rule needs to know of one annual report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatEvidence {
    pub book_year: i32,
    pub rat_held: bool,
}

/// The rule that turns annual reports into an activity status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityRule {
    /// Active when the annual members' meeting (RAT) was held for at least one of the last `years`
    /// book years before the current one. `years = 1` is the office's default: RAT held for the
    /// previous book year.
    RatHeldWithinBookYears { years: u8 },
}

impl Default for ActivityRule {
    fn default() -> Self {
        ActivityRule::RatHeldWithinBookYears { years: 1 }
    }
}

/// Longest look-back a rule may have, in book years.
pub const MAX_LOOKBACK_YEARS: u8 = 5;

impl ActivityRule {
    /// The rule's stable name, recorded with every status it computes.
    pub fn name(&self) -> String {
        match self {
            ActivityRule::RatHeldWithinBookYears { years: 1 } => "rat_previous_book_year".into(),
            ActivityRule::RatHeldWithinBookYears { years } => {
                format!("rat_within_{years}_book_years")
            }
        }
    }

    /// Status in `current_year` given the reports on file.
    pub fn evaluate(&self, current_year: i32, reports: &[RatEvidence]) -> ActivityStatus {
        match *self {
            ActivityRule::RatHeldWithinBookYears { years } => {
                let first = current_year - i32::from(years);
                let held = reports
                    .iter()
                    .any(|r| r.rat_held && r.book_year >= first && r.book_year < current_year);
                if held {
                    ActivityStatus::Aktif
                } else {
                    ActivityStatus::TidakAktif
                }
            }
        }
    }
}

/// A rule name that is not one of the known rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown activity rule; use rat_previous_book_year or rat_within_N_book_years with N from 1 to {MAX_LOOKBACK_YEARS}"
)]
pub struct UnknownRule;

impl FromStr for ActivityRule {
    type Err = UnknownRule;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "rat_previous_book_year" {
            return Ok(ActivityRule::default());
        }
        let years = s
            .strip_prefix("rat_within_")
            .and_then(|rest| rest.strip_suffix("_book_years"))
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|n| (1..=MAX_LOOKBACK_YEARS).contains(n))
            .ok_or(UnknownRule)?;
        Ok(ActivityRule::RatHeldWithinBookYears { years })
    }
}

/// The status a cooperative shows: an override, when an officer set one, wins over the rule.
pub fn effective_status(
    computed: ActivityStatus,
    overridden: Option<ActivityStatus>,
) -> ActivityStatus {
    overridden.unwrap_or(computed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn report(book_year: i32, rat_held: bool) -> RatEvidence {
        RatEvidence {
            book_year,
            rat_held,
        }
    }

    #[test]
    fn default_rule_wants_rat_for_the_previous_book_year() {
        let rule = ActivityRule::default();
        assert_eq!(rule.name(), "rat_previous_book_year");
        assert_eq!(
            rule.evaluate(2026, &[report(2025, true)]),
            ActivityStatus::Aktif
        );
        assert_eq!(
            rule.evaluate(2026, &[report(2024, true)]),
            ActivityStatus::TidakAktif
        );
        assert_eq!(
            rule.evaluate(2026, &[report(2025, false)]),
            ActivityStatus::TidakAktif
        );
        // A meeting for the current book year cannot have been held yet for a closed year.
        assert_eq!(
            rule.evaluate(2026, &[report(2026, true)]),
            ActivityStatus::TidakAktif
        );
        assert_eq!(rule.evaluate(2026, &[]), ActivityStatus::TidakAktif);
    }

    #[test]
    fn a_longer_lookback_counts_older_meetings_up_to_its_edge() {
        let rule: ActivityRule = "rat_within_2_book_years".parse().unwrap();
        assert_eq!(rule.name(), "rat_within_2_book_years");
        assert_eq!(
            rule.evaluate(2026, &[report(2024, true)]),
            ActivityStatus::Aktif
        );
        assert_eq!(
            rule.evaluate(2026, &[report(2023, true)]),
            ActivityStatus::TidakAktif
        );
    }

    #[test]
    fn rule_names_parse_only_within_bounds() {
        assert_eq!(
            "rat_previous_book_year".parse(),
            Ok(ActivityRule::default())
        );
        assert_eq!(
            "rat_within_1_book_years".parse(),
            Ok(ActivityRule::default())
        );
        assert!("rat_within_5_book_years".parse::<ActivityRule>().is_ok());
        assert_eq!(
            "rat_within_0_book_years".parse::<ActivityRule>(),
            Err(UnknownRule)
        );
        assert_eq!(
            "rat_within_6_book_years".parse::<ActivityRule>(),
            Err(UnknownRule)
        );
        assert_eq!("always_active".parse::<ActivityRule>(), Err(UnknownRule));
    }

    #[test]
    fn an_override_wins_over_the_computed_status() {
        assert_eq!(
            effective_status(ActivityStatus::Aktif, Some(ActivityStatus::DiusulkanBubar)),
            ActivityStatus::DiusulkanBubar
        );
        assert_eq!(
            effective_status(ActivityStatus::Aktif, None),
            ActivityStatus::Aktif
        );
    }

    proptest! {
        #[test]
        fn rule_names_round_trip(years in 1u8..=MAX_LOOKBACK_YEARS) {
            let rule = ActivityRule::RatHeldWithinBookYears { years };
            prop_assert_eq!(rule.name().parse::<ActivityRule>(), Ok(rule));
        }

        #[test]
        fn without_any_rat_held_a_cooperative_is_never_active(
            years in 1u8..=MAX_LOOKBACK_YEARS,
            book_years in proptest::collection::vec(1945i32..2100, 0..10),
            current in 1946i32..2100,
        ) {
            let reports: Vec<_> = book_years.into_iter().map(|y| report(y, false)).collect();
            let rule = ActivityRule::RatHeldWithinBookYears { years };
            prop_assert_eq!(rule.evaluate(current, &reports), ActivityStatus::TidakAktif);
        }
    }
}
