//! Recommendations and their capital (docs/domain.md, "Recommendations and financing"): what the team
//! recommends, how a recommendation's status moves, and the rules on the rupiah amounts.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::cooperative::{UnknownValue, text_enum};
use crate::{Violation, Violations};

text_enum!(
    /// What is recommended: the article's three (`bimbingan` guidance, `permodalan` capital,
    /// `motivasi` motivation) and the clinic practice around them.
    RecommendationKind {
        Bimbingan => "bimbingan",
        Permodalan => "permodalan",
        Motivasi => "motivasi",
        Pelatihan => "pelatihan",
        Pendampingan => "pendampingan",
        FasilitasiLegalitas => "fasilitasi_legalitas",
        FasilitasiPemasaran => "fasilitasi_pemasaran",
        Digitalisasi => "digitalisasi",
        PerbaikanKelembagaan => "perbaikan_kelembagaan",
        PenilaianKesehatanResmi => "penilaian_kesehatan_resmi",
        UsulPembubaran => "usul_pembubaran",
        Lainnya => "lainnya",
    }
);

text_enum!(
    /// Where a recommendation stands. `done`, `not_done`, `rejected` and `cancelled` are final.
    RecommendationStatus {
        Proposed => "proposed",
        Agreed => "agreed",
        InProgress => "in_progress",
        Done => "done",
        NotDone => "not_done",
        Rejected => "rejected",
        Cancelled => "cancelled",
    }
);

text_enum!(
    /// How capital is sought (docs/domain.md, "Recommendations and financing").
    FinancingScheme {
        KurSuperMikro => "kur_super_mikro",
        KurMikro => "kur_mikro",
        KurKecil => "kur_kecil",
        LpdbDanaBergulir => "lpdb_dana_bergulir",
        Umi => "umi",
        BankMitra => "bank_mitra",
        Bpr => "bpr",
        Csr => "csr",
        Apbd => "apbd",
        Hibah => "hibah",
        Lainnya => "lainnya",
    }
);

impl RecommendationStatus {
    pub fn is_open(self) -> bool {
        matches!(
            self,
            RecommendationStatus::Proposed
                | RecommendationStatus::Agreed
                | RecommendationStatus::InProgress
        )
    }

    /// Whether a recommendation may move from `self` to `to`: proposed → agreed → in_progress →
    /// done | not_done; proposed → rejected; any open status → cancelled.
    pub fn may_become(self, to: RecommendationStatus) -> bool {
        use RecommendationStatus as S;
        matches!(
            (self, to),
            (S::Proposed, S::Agreed)
                | (S::Agreed, S::InProgress)
                | (S::InProgress, S::Done | S::NotDone)
                | (S::Proposed, S::Rejected)
        ) || (self.is_open() && to == S::Cancelled)
    }
}

/// The rupiah of a capital recommendation: requested, approved and disbursed, each with its date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CapitalAmounts {
    pub requested: Option<i64>,
    pub approved: Option<i64>,
    pub approved_on: Option<NaiveDate>,
    pub disbursed: Option<i64>,
    pub disbursed_on: Option<NaiveDate>,
}

/// Checks the amounts: whole rupiah, none negative; approval and disbursement each with their
/// date; nothing disbursed before or beyond what was approved.
pub fn validate_capital(amounts: &CapitalAmounts) -> Result<(), Violations> {
    let mut v = Violations::default();
    for (field, amount) in [
        ("amount_requested", amounts.requested),
        ("amount_approved", amounts.approved),
        ("amount_disbursed", amounts.disbursed),
    ] {
        if amount.is_some_and(|a| a < 0) {
            v.push(Violation::new(
                field,
                "negative_amount",
                msg!("must not be negative"),
            ));
        }
    }
    for (field, amount, date) in [
        ("approved_on", amounts.approved, amounts.approved_on),
        ("disbursed_on", amounts.disbursed, amounts.disbursed_on),
    ] {
        if amount.is_some() != date.is_some() {
            v.push(Violation::new(
                field,
                "amount_and_date_together",
                msg!("an amount and its date are given together"),
            ));
        }
    }
    match (amounts.approved, amounts.disbursed) {
        (None, Some(_)) => v.push(Violation::new(
            "amount_disbursed",
            "not_approved",
            msg!("nothing is disbursed before an amount is approved"),
        )),
        (Some(approved), Some(disbursed)) if disbursed > approved => v.push(Violation::new(
            "amount_disbursed",
            "disbursed_above_approved",
            msg!("cannot exceed the approved amount"),
        )),
        _ => {}
    }
    if let (Some(approved_on), Some(disbursed_on)) = (amounts.approved_on, amounts.disbursed_on)
        && disbursed_on < approved_on
    {
        v.push(Violation::new(
            "disbursed_on",
            "disbursed_before_approved",
            msg!("cannot be before the approval"),
        ));
    }
    v.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_recommendation_machine_has_exactly_its_published_edges() {
        use RecommendationStatus as S;
        let allowed: Vec<(S, S)> = S::ALL
            .iter()
            .flat_map(|from| S::ALL.iter().map(move |to| (*from, *to)))
            .filter(|(from, to)| from.may_become(*to))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (S::Proposed, S::Agreed),
                (S::Proposed, S::Rejected),
                (S::Proposed, S::Cancelled),
                (S::Agreed, S::InProgress),
                (S::Agreed, S::Cancelled),
                (S::InProgress, S::Done),
                (S::InProgress, S::NotDone),
                (S::InProgress, S::Cancelled),
            ]
        );
    }

    fn date(d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2017, 7, d)
    }

    fn codes(amounts: CapitalAmounts) -> Vec<&'static str> {
        match validate_capital(&amounts) {
            Ok(()) => Vec::new(),
            Err(v) => v.0.iter().map(|v| v.code).collect(),
        }
    }

    #[test]
    fn disbursed_may_equal_approved_but_never_exceed_it() {
        let base = CapitalAmounts {
            requested: Some(50_000_000),
            approved: Some(25_000_000),
            approved_on: date(3),
            disbursed: Some(25_000_000),
            disbursed_on: date(3),
        };
        assert!(codes(base).is_empty());
        let above = CapitalAmounts {
            disbursed: Some(25_000_001),
            ..base
        };
        assert_eq!(codes(above), ["disbursed_above_approved"]);
        let early = CapitalAmounts {
            disbursed_on: date(2),
            ..base
        };
        assert_eq!(codes(early), ["disbursed_before_approved"]);
        let unapproved = CapitalAmounts {
            approved: None,
            approved_on: None,
            ..base
        };
        assert_eq!(codes(unapproved), ["not_approved"]);
        let undated = CapitalAmounts {
            approved_on: None,
            ..base
        };
        assert_eq!(codes(undated), ["amount_and_date_together"]);
        let negative = CapitalAmounts {
            requested: Some(-1),
            ..base
        };
        assert_eq!(codes(negative), ["negative_amount"]);
    }

    proptest! {
        #[test]
        fn final_statuses_go_nowhere(to in proptest::sample::select(RecommendationStatus::ALL)) {
            for from in RecommendationStatus::ALL.iter().filter(|s| !s.is_open()) {
                prop_assert!(!from.may_become(to));
            }
        }

        #[test]
        fn any_disbursement_within_the_approval_is_accepted(approved in 0i64..=10_000_000_000, share in 0.0f64..=1.0) {
            let disbursed = (approved as f64 * share) as i64;
            let amounts = CapitalAmounts {
                requested: Some(approved),
                approved: Some(approved),
                approved_on: date(1),
                disbursed: Some(disbursed.min(approved)),
                disbursed_on: date(2),
            };
            prop_assert_eq!(validate_capital(&amounts), Ok(()));
        }
    }
}
