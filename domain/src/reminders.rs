//! What is due: the follow-ups a clinic must not forget (docs/domain.md, "Reminders"). The
//! rules that decide when each kind of reminder is due, and how a daily digest names them.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::cooperative::{UnknownValue, text_enum};

text_enum!(
    /// What is due: `recommendation_overdue` (past its due date and not finished),
    /// `case_idle` (in mentoring with no activity for the configured days), `evaluation_due`
    /// (in mentoring or evaluation with no evaluation for the configured days), `rat_overdue`
    /// (an active cooperative's annual report says no RAT was held for the last book year whose
    /// deadline passed), `annual_report_missing` (no annual report at all for that year),
    /// `capital_unreported` (capital agreed but not yet approved by the bank after the configured
    /// days).
    ReminderKind {
        RecommendationOverdue => "recommendation_overdue",
        CaseIdle => "case_idle",
        EvaluationDue => "evaluation_due",
        RatOverdue => "rat_overdue",
        AnnualReportMissing => "annual_report_missing",
        CapitalUnreported => "capital_unreported",
    }
);

impl ReminderKind {
    /// One line of a digest, in Bahasa Indonesia (`indonesian`) or English.
    pub fn line(self, indonesian: bool) -> &'static str {
        match (self, indonesian) {
            (ReminderKind::RecommendationOverdue, true) => {
                "Rekomendasi melewati tenggat dan belum selesai"
            }
            (ReminderKind::RecommendationOverdue, false) => {
                "Recommendation past its due date and not finished"
            }
            (ReminderKind::CaseIdle, true) => "Kasus pendampingan tanpa kegiatan",
            (ReminderKind::CaseIdle, false) => "Case in mentoring with no recent activity",
            (ReminderKind::EvaluationDue, true) => "Evaluasi kasus jatuh tempo",
            (ReminderKind::EvaluationDue, false) => "Case evaluation due",
            (ReminderKind::RatOverdue, true) => {
                "RAT koperasi belum terlaksana melewati batas waktu"
            }
            (ReminderKind::RatOverdue, false) => "Cooperative's RAT not held by the legal deadline",
            (ReminderKind::AnnualReportMissing, true) => "Laporan tahunan koperasi belum masuk",
            (ReminderKind::AnnualReportMissing, false) => "Cooperative's annual report missing",
            (ReminderKind::CapitalUnreported, true) => {
                "Permodalan disepakati tetapi belum dilaporkan bank"
            }
            (ReminderKind::CapitalUnreported, false) => {
                "Capital agreed but not yet reported by the bank"
            }
        }
    }
}

/// The book year whose RAT must have been held by `today`: the most recent one whose deadline,
/// six months after its end (30 June of the following year: the RAT within six months of closing
/// the books, docs/domain.md "Annual reports and the activity status"), has passed.
pub fn rat_book_year(today: NaiveDate) -> i32 {
    let deadline_this_year = NaiveDate::from_ymd_opt(today.year(), 6, 30);
    match deadline_this_year {
        Some(deadline) if today > deadline => today.year() - 1,
        _ => today.year() - 2,
    }
}

/// Whether `since` (the last activity, evaluation or agreement) is at least `days` before
/// `today`: the day the period completes is the first day it is due.
pub fn overdue_after(since: NaiveDate, today: NaiveDate, days: u32) -> bool {
    (today - since).num_days() >= i64::from(days)
}

/// Whether a recommendation due on `due_on` is overdue on `today`: the day after it.
pub fn past_due(due_on: NaiveDate, today: NaiveDate) -> bool {
    today > due_on
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_rat_deadline_is_the_thirtieth_of_june_after_the_book_year() {
        assert_eq!(
            rat_book_year(d(2026, 6, 30)),
            2024,
            "the 2025 deadline is still open"
        );
        assert_eq!(rat_book_year(d(2026, 7, 1)), 2025);
        assert_eq!(rat_book_year(d(2026, 1, 1)), 2024);
        assert_eq!(rat_book_year(d(2026, 12, 31)), 2025);
    }

    #[test]
    fn a_period_is_due_on_the_day_it_completes() {
        assert!(!overdue_after(d(2026, 1, 1), d(2026, 1, 30), 30));
        assert!(overdue_after(d(2026, 1, 1), d(2026, 1, 31), 30));
        assert!(!past_due(d(2026, 3, 1), d(2026, 3, 1)));
        assert!(past_due(d(2026, 3, 1), d(2026, 3, 2)));
    }

    #[test]
    fn every_kind_has_both_lines_and_round_trips() {
        for kind in ReminderKind::ALL {
            assert!(!kind.line(true).is_empty() && !kind.line(false).is_empty());
            assert_ne!(kind.line(true), kind.line(false));
            assert_eq!(kind.as_str().parse::<ReminderKind>(), Ok(*kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }

    proptest! {
        #[test]
        fn the_rat_year_is_one_or_two_years_back_and_its_deadline_has_passed(
            days in 0i64..40_000,
        ) {
            let today = d(1950, 1, 1) + chrono::Duration::days(days);
            let year = rat_book_year(today);
            prop_assert!(year == today.year() - 1 || year == today.year() - 2);
            prop_assert!(d(year + 1, 6, 30) < today);
            // and the next book year's deadline has not passed yet
            prop_assert!(d(year + 2, 6, 30) >= today);
        }
    }
}
