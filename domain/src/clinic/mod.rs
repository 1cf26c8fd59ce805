//! The coaching clinic (docs/domain.md, "The coaching clinic"): who diagnoses, the case machine, and the
//! health-assessment instruments that turn aspect scores into a predicate.

pub mod case;
pub mod decimal;
pub mod evaluation;
pub mod health;
pub mod indicators;
pub mod instruments;
pub mod outcome;
pub mod recommendation;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::cooperative::{UnknownValue, text_enum};

text_enum!(
    /// Problem category of a finding ("disease"), also an expert's area of expertise
    /// (docs/domain.md, "Problem categories").
    ProblemCategory {
        Kelembagaan => "kelembagaan",
        TataKelolaRat => "tata_kelola_rat",
        Manajemen => "manajemen",
        Sdm => "sdm",
        KeuanganAkuntansi => "keuangan_akuntansi",
        Permodalan => "permodalan",
        KinerjaUsaha => "kinerja_usaha",
        Pemasaran => "pemasaran",
        Produksi => "produksi",
        LegalitasPerizinan => "legalitas_perizinan",
        Digitalisasi => "digitalisasi",
        Motivasi => "motivasi",
        RisikoPinjaman => "risiko_pinjaman",
        Lainnya => "lainnya",
    }
);

text_enum!(
    /// How serious a finding is: `ringan` (mild), `sedang` (moderate), `berat` (severe).
    Severity { Ringan => "ringan", Sedang => "sedang", Berat => "berat" }
);

text_enum!(
    /// What an expert brings to the diagnosis team (docs/domain.md, "The coaching clinic").
    ExpertRole {
        Akademisi => "akademisi",
        Praktisi => "praktisi",
        Perbankan => "perbankan",
        Dekopinda => "dekopinda",
        StafDinas => "staf_dinas",
        Konsultan => "konsultan",
    }
);

text_enum!(
    /// Kind of partner institution: a university, a bank, a rural bank (BPR), the city's cooperative
    /// council (Dekopinda), an association, a government unit, or other.
    PartnerKind {
        University => "university",
        Bank => "bank",
        Bpr => "bpr",
        Dekopinda => "dekopinda",
        Association => "association",
        GovernmentUnit => "government_unit",
        Other => "other",
    }
);

text_enum!(
    /// Kind of clinic session: information, diagnosis, training, mentoring, or monitoring and
    /// evaluation.
    SessionKind {
        Sosialisasi => "sosialisasi",
        Diagnosa => "diagnosa",
        Pelatihan => "pelatihan",
        Pendampingan => "pendampingan",
        Monev => "monev",
    }
);

text_enum!(
    /// How a case came to the clinic: the office's initiative, the subject's own request, a partner's
    /// referral, or a supervision finding.
    ReferralSource {
        OfficeInitiative => "office_initiative",
        OwnRequest => "own_request",
        Partner => "partner",
        SupervisionFinding => "supervision_finding",
    }
);

text_enum!(
    /// What a case is about: a cooperative or a UKM.
    SubjectKind { Cooperative => "cooperative", Ukm => "ukm" }
);

text_enum!(
    /// What an expert does on a case: `team` (the diagnosis team) or `mentor` (follows it up).
    MemberDuty { Team => "team", Mentor => "mentor" }
);

text_enum!(
    /// Where a diagnosis stands: a `draft` the team edits, or `final` (never changed again).
    DiagnosisStatus { Draft => "draft", Final => "final" }
);

text_enum!(
    /// What an expert did at a clinic session: `speaker`, or `present` in the audience.
    SessionDuty { Speaker => "speaker", Present => "present" }
);

/// A programme runs over 5 to 7 years (docs/domain.md, "The programme").
pub const HORIZON_YEARS: std::ops::RangeInclusive<i16> = 5..=7;
/// The article's yearly targets: at least 30 cooperatives helped, at least 10 of them good.
pub const DEFAULT_TARGET_HELPED: i32 = 30;
pub const DEFAULT_TARGET_GOOD: i32 = 10;

#[cfg(test)]
mod tests {
    use super::case::{CaseAction, CaseStatus, EvaluationNextStep};
    use super::health::Predicate;
    use super::*;

    /// Serde and `as_str` must agree, or the contract and the database would spell values apart.
    fn round_trips<T>(all: &[T])
    where
        T: Copy + Serialize + FromStr + fmt::Display + PartialEq + fmt::Debug,
    {
        for value in all {
            let text = value.to_string();
            assert_eq!(serde_json::to_value(value).ok(), Some(text.clone().into()));
            assert!(text.parse::<T>().ok() == Some(*value), "{text}");
        }
    }

    #[test]
    fn every_clinic_enum_round_trips_through_its_text() {
        round_trips(ProblemCategory::ALL);
        round_trips(Severity::ALL);
        round_trips(ExpertRole::ALL);
        round_trips(PartnerKind::ALL);
        round_trips(SessionKind::ALL);
        round_trips(ReferralSource::ALL);
        round_trips(SubjectKind::ALL);
        round_trips(CaseStatus::ALL);
        round_trips(CaseAction::ALL);
        round_trips(EvaluationNextStep::ALL);
        round_trips(Predicate::ALL);
        round_trips(recommendation::RecommendationKind::ALL);
        round_trips(recommendation::RecommendationStatus::ALL);
        round_trips(recommendation::FinancingScheme::ALL);
        round_trips(outcome::Outcome::ALL);
        round_trips(outcome::Conclusion::ALL);
        round_trips(outcome::DissolutionReason::ALL);
        round_trips(outcome::ProposalStatus::ALL);
        round_trips(outcome::ActivityKind::ALL);
    }
}
