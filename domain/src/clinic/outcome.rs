//! How a closed case ends (docs/domain.md, "Evaluation and outcome"): `bagus` when the evidence meets the
//! configured rule, otherwise what the evaluation concluded. Also the dissolution proposal's
//! machine, and the mentoring activity's rules.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::health::Predicate;
use crate::Violation;
use crate::cooperative::{UnknownValue, text_enum};

text_enum!(
    /// A closed case's outcome: `bagus` (good: the article's target word), `membaik` (improved),
    /// `tetap` (unchanged), `memburuk` (worse).
    Outcome { Bagus => "bagus", Membaik => "membaik", Tetap => "tetap", Memburuk => "memburuk" }
);

text_enum!(
    /// What an evaluation concludes.
    Conclusion { Improved => "improved", Unchanged => "unchanged", Worse => "worse" }
);

/// The evidence the rule for `bagus` reads, by kind of subject; stored with the outcome, `basis`
/// naming which kind it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum Evidence {
    /// A cooperative that runs savings and loans: its latest final health predicate.
    SavingsAndLoan { final_predicate: Option<Predicate> },
    /// Any other cooperative: RAT held for the last book year, SHU of that year and the one
    /// before, and whether it is active now.
    Cooperative {
        rat_held_last_book_year: bool,
        shu_last: Option<i64>,
        shu_previous: Option<i64>,
        active: bool,
    },
    /// A UKM: active now, turnover at baseline and now, size class rank (mikro 0, kecil 1,
    /// menengah 2, besar 3) at baseline and now.
    Ukm {
        active: bool,
        turnover_baseline: Option<i64>,
        turnover_latest: Option<i64>,
        size_baseline: Option<u8>,
        size_latest: Option<u8>,
    },
}

/// The default rule for `bagus`; its name and version are stored with every outcome.
pub const DEFAULT_RULE: &str = "bagus_default";
pub const DEFAULT_RULE_VERSION: i32 = 1;

/// Whether the evidence meets the default rule for `bagus`: savings-and-loan cooperatives reach
/// `cukup_sehat` or `sehat`; other cooperatives held RAT for the last book year, kept SHU at least
/// at the previous year's, and are active; UKM are active and either grew their turnover or moved
/// up a size class.
pub fn meets_default_rule(evidence: &Evidence) -> bool {
    match *evidence {
        Evidence::SavingsAndLoan { final_predicate } => matches!(
            final_predicate,
            Some(Predicate::Sehat | Predicate::CukupSehat)
        ),
        Evidence::Cooperative {
            rat_held_last_book_year,
            shu_last,
            shu_previous,
            active,
        } => {
            let shu_kept = matches!((shu_last, shu_previous), (Some(last), Some(previous)) if last >= previous);
            rat_held_last_book_year && shu_kept && active
        }
        Evidence::Ukm {
            active,
            turnover_baseline,
            turnover_latest,
            size_baseline,
            size_latest,
        } => {
            let grew = matches!((turnover_baseline, turnover_latest), (Some(before), Some(now)) if now > before);
            let moved_up =
                matches!((size_baseline, size_latest), (Some(before), Some(now)) if now > before);
            active && (grew || moved_up)
        }
    }
}

/// The outcome of a closing case: `bagus` by the rule, otherwise the evaluation's conclusion.
pub fn decide(evidence: &Evidence, conclusion: Conclusion) -> Outcome {
    if meets_default_rule(evidence) {
        return Outcome::Bagus;
    }
    match conclusion {
        Conclusion::Improved => Outcome::Membaik,
        Conclusion::Unchanged => Outcome::Tetap,
        Conclusion::Worse => Outcome::Memburuk,
    }
}

text_enum!(
    /// Why a cooperative is proposed for dissolution (docs/domain.md, "Dissolution").
    DissolutionReason {
        NoRatTwoYears => "no_rat_two_years",
        BoardGone => "board_gone",
        NoBusiness => "no_business",
        AddressNotFound => "address_not_found",
        NoResponse => "no_response",
        Other => "other",
    }
);

text_enum!(
    /// Where a dissolution proposal stands: `submitted` by the office, `forwarded` to the
    /// ministry, then `approved` (the cooperative is dissolved), `rejected` or `withdrawn` (its
    /// previous status returns).
    ProposalStatus {
        Submitted => "submitted",
        Forwarded => "forwarded",
        Approved => "approved",
        Rejected => "rejected",
        Withdrawn => "withdrawn",
    }
);

impl ProposalStatus {
    pub fn is_open(self) -> bool {
        matches!(self, ProposalStatus::Submitted | ProposalStatus::Forwarded)
    }

    pub fn may_become(self, to: ProposalStatus) -> bool {
        use ProposalStatus as S;
        matches!(
            (self, to),
            (S::Submitted, S::Forwarded)
                | (
                    S::Submitted | S::Forwarded,
                    S::Approved | S::Rejected | S::Withdrawn
                )
        )
    }
}

text_enum!(
    /// A mentoring activity's kind.
    ActivityKind {
        Visit => "visit",
        Training => "training",
        Consultation => "consultation",
        FinancingFacilitation => "financing_facilitation",
        LicensingFacilitation => "licensing_facilitation",
        BusinessMeeting => "business_meeting",
    }
);

/// An activity lasts more than 0 and at most 24 hours, to the quarter hour or finer (two
/// decimals at most).
pub fn validate_hours(field: &str, hours: Decimal) -> Result<(), Violation> {
    if hours <= Decimal::ZERO || hours > Decimal::from(24) || hours.scale() > 2 {
        return Err(Violation::new(
            field,
            "hours_range",
            msg!("must be more than 0 and at most 24, with two decimals at most"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cooperative(rat: bool, last: Option<i64>, previous: Option<i64>, active: bool) -> Evidence {
        Evidence::Cooperative {
            rat_held_last_book_year: rat,
            shu_last: last,
            shu_previous: previous,
            active,
        }
    }

    #[test]
    fn a_savings_and_loan_cooperative_is_good_from_cukup_sehat_up() {
        for (predicate, good) in [
            (Some(Predicate::Sehat), true),
            (Some(Predicate::CukupSehat), true),
            (Some(Predicate::DalamPengawasan), false),
            (Some(Predicate::DalamPengawasanKhusus), false),
            (None, false),
        ] {
            let evidence = Evidence::SavingsAndLoan {
                final_predicate: predicate,
            };
            assert_eq!(meets_default_rule(&evidence), good, "{predicate:?}");
        }
    }

    #[test]
    fn another_cooperative_needs_rat_kept_shu_and_activity_all_three() {
        assert!(
            meets_default_rule(&cooperative(true, Some(10), Some(10), true)),
            "equal SHU is kept"
        );
        assert!(
            meets_default_rule(&cooperative(true, Some(-5), Some(-9), true)),
            "a smaller loss is kept"
        );
        assert!(!meets_default_rule(&cooperative(
            true,
            Some(9),
            Some(10),
            true
        )));
        assert!(!meets_default_rule(&cooperative(
            false,
            Some(10),
            Some(1),
            true
        )));
        assert!(!meets_default_rule(&cooperative(
            true,
            Some(10),
            Some(1),
            false
        )));
        assert!(
            !meets_default_rule(&cooperative(true, Some(10), None, true)),
            "no comparison, no proof"
        );
    }

    #[test]
    fn a_ukm_is_good_when_active_and_growing_in_turnover_or_size() {
        let ukm = |active, t0, t1, s0, s1| Evidence::Ukm {
            active,
            turnover_baseline: t0,
            turnover_latest: t1,
            size_baseline: s0,
            size_latest: s1,
        };
        assert!(meets_default_rule(&ukm(
            true,
            Some(100),
            Some(101),
            None,
            None
        )));
        assert!(!meets_default_rule(&ukm(
            true,
            Some(100),
            Some(100),
            Some(0),
            Some(0)
        )));
        assert!(meets_default_rule(&ukm(
            true,
            Some(100),
            Some(90),
            Some(0),
            Some(1)
        )));
        assert!(!meets_default_rule(&ukm(
            false,
            Some(100),
            Some(200),
            Some(0),
            Some(1)
        )));
    }

    #[test]
    fn without_the_rule_the_evaluation_decides() {
        let not_good = cooperative(false, None, None, false);
        assert_eq!(decide(&not_good, Conclusion::Improved), Outcome::Membaik);
        assert_eq!(decide(&not_good, Conclusion::Unchanged), Outcome::Tetap);
        assert_eq!(decide(&not_good, Conclusion::Worse), Outcome::Memburuk);
        let good = cooperative(true, Some(2), Some(1), true);
        assert_eq!(
            decide(&good, Conclusion::Worse),
            Outcome::Bagus,
            "the rule wins"
        );
    }

    #[test]
    fn a_proposal_ends_once_and_only_from_an_open_status() {
        use ProposalStatus as S;
        assert!(S::Submitted.may_become(S::Forwarded));
        assert!(S::Forwarded.may_become(S::Approved));
        assert!(!S::Forwarded.may_become(S::Submitted));
        for done in [S::Approved, S::Rejected, S::Withdrawn] {
            for to in S::ALL {
                assert!(!done.may_become(*to), "{done} → {to}");
            }
        }
    }

    #[test]
    fn hours_lie_above_0_and_up_to_24() {
        let h = |s: &str| validate_hours("hours", s.parse().expect("decimal"));
        assert!(h("0.25").is_ok() && h("24").is_ok() && h("0.01").is_ok());
        for bad in ["0", "-1", "24.01", "1.125"] {
            assert_eq!(h(bad).map_err(|v| v.code), Err("hours_range"), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn raising_the_final_predicate_never_loses_bagus(a in 0u8..4, b in 0u8..4) {
            let of = |rank: u8| Predicate::ALL.iter().copied().find(|p| p.rank() == rank);
            let (low, high) = (a.min(b), a.max(b));
            let good = |rank| meets_default_rule(&Evidence::SavingsAndLoan { final_predicate: of(rank) });
            prop_assert!(!good(low) || good(high));
        }
    }
}
