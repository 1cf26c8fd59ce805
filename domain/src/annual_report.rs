//! Rules of a cooperative's annual report (laporan tahunan, one per book year; docs/domain.md, "Annual reports and the activity status").

use chrono::{Datelike, NaiveDate};

use crate::{Violation, Violations};

/// The first book year the registry accepts: the Republic's first year.
pub const FIRST_BOOK_YEAR: i32 = 1945;
/// Largest rupiah amount accepted (Rp 1 quadrillion), far above any cooperative's books, so that a
/// typo of a few extra digits is caught and sums never overflow.
pub const MAX_RUPIAH: i64 = 1_000_000_000_000_000;
/// Largest head count accepted (members, managers, employees).
pub const MAX_COUNT: i64 = 10_000_000;

/// The dated facts of a report, checked against each other and against today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportDates {
    pub book_year: i32,
    pub rat_held: bool,
    pub rat_date: Option<NaiveDate>,
    pub reported_date: Option<NaiveDate>,
}

pub fn book_year(field: &str, year: i32, today: NaiveDate) -> Result<(), Violation> {
    if (FIRST_BOOK_YEAR..=today.year()).contains(&year) {
        Ok(())
    } else {
        Err(Violation::new(
            field,
            "book_year_range",
            msg!(
                "must be between %{first_book_year} and the current year",
                first_book_year = FIRST_BOOK_YEAR
            ),
        ))
    }
}

/// Checks the book year, the RAT (annual members' meeting) and the reporting date together.
pub fn validate_dates(report: &ReportDates, today: NaiveDate) -> Result<(), Violations> {
    let mut violations = Violations::default();
    violations.check(book_year("book_year", report.book_year, today));
    match (report.rat_held, report.rat_date) {
        (true, None) => violations.push(Violation::new(
            "rat_date",
            "rat_date_required",
            msg!("required when rat_held is true"),
        )),
        (false, Some(_)) => violations.push(Violation::new(
            "rat_date",
            "rat_date_without_rat",
            msg!("must be absent when rat_held is false"),
        )),
        (true, Some(date)) => {
            let year_end = NaiveDate::from_ymd_opt(report.book_year, 12, 31);
            if year_end.is_some_and(|end| date < end) {
                violations.push(Violation::new(
                    "rat_date",
                    "rat_date_before_book_year_end",
                    msg!("the meeting cannot be held before the book year ends (31 December)"),
                ));
            }
            if date > today {
                violations.push(Violation::new(
                    "rat_date",
                    "rat_date_in_future",
                    msg!("must not be in the future"),
                ));
            }
        }
        (false, None) => {}
    }
    if report.reported_date.is_some_and(|d| d > today) {
        violations.push(Violation::new(
            "reported_date",
            "reported_date_in_future",
            msg!("must not be in the future"),
        ));
    }
    violations.into_result()
}

/// A rupiah amount: whole rupiah within ±[`MAX_RUPIAH`]; negative only where `allow_negative`
/// (SHU, the surplus, may be a loss).
pub fn rupiah(field: &str, value: i64, allow_negative: bool) -> Result<(), Violation> {
    if value < 0 && !allow_negative {
        return Err(Violation::new(
            field,
            "negative_amount",
            msg!("must not be negative"),
        ));
    }
    if value.unsigned_abs() > MAX_RUPIAH.unsigned_abs() {
        return Err(Violation::new(
            field,
            "amount_out_of_range",
            msg!(
                "must be within %{max_rupiah} rupiah",
                max_rupiah = MAX_RUPIAH
            ),
        ));
    }
    Ok(())
}

/// A head count: from 0 to [`MAX_COUNT`].
pub fn count(field: &str, value: i64) -> Result<(), Violation> {
    if value < 0 {
        Err(Violation::new(
            field,
            "negative_count",
            msg!("must not be negative"),
        ))
    } else if value > MAX_COUNT {
        Err(Violation::new(
            field,
            "count_out_of_range",
            msg!("must be at most %{max_count}", max_count = MAX_COUNT),
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        date(2026, 11, 28)
    }

    fn report(book_year: i32, rat_date: Option<NaiveDate>) -> ReportDates {
        ReportDates {
            book_year,
            rat_held: rat_date.is_some(),
            rat_date,
            reported_date: None,
        }
    }

    fn codes(result: Result<(), Violations>) -> Vec<&'static str> {
        result
            .err()
            .map(|v| v.0.iter().map(|v| v.code).collect())
            .unwrap_or_default()
    }

    #[test]
    fn book_year_runs_from_1945_to_the_current_year() {
        assert!(book_year("f", 1944, today()).is_err());
        assert!(book_year("f", 1945, today()).is_ok());
        assert!(book_year("f", 2026, today()).is_ok());
        assert_eq!(
            book_year("f", 2027, today()).unwrap_err().code,
            "book_year_range"
        );
    }

    #[test]
    fn rat_may_be_held_from_the_last_day_of_the_book_year() {
        assert_eq!(
            codes(validate_dates(
                &report(2024, Some(date(2024, 12, 30))),
                today()
            )),
            ["rat_date_before_book_year_end"]
        );
        assert!(validate_dates(&report(2024, Some(date(2024, 12, 31))), today()).is_ok());
        assert!(validate_dates(&report(2024, Some(date(2025, 3, 15))), today()).is_ok());
    }

    #[test]
    fn rat_date_goes_with_rat_held() {
        let held_without_date = ReportDates {
            rat_held: true,
            ..report(2024, None)
        };
        assert_eq!(
            codes(validate_dates(&held_without_date, today())),
            ["rat_date_required"]
        );
        let date_without_meeting = ReportDates {
            rat_held: false,
            ..report(2024, Some(date(2025, 2, 1)))
        };
        assert_eq!(
            codes(validate_dates(&date_without_meeting, today())),
            ["rat_date_without_rat"]
        );
    }

    #[test]
    fn dates_cannot_lie_in_the_future() {
        assert!(validate_dates(&report(2025, Some(today())), today()).is_ok());
        let tomorrow = date(2026, 11, 29);
        assert_eq!(
            codes(validate_dates(&report(2025, Some(tomorrow)), today())),
            ["rat_date_in_future"]
        );
        let reported = ReportDates {
            reported_date: Some(tomorrow),
            ..report(2025, None)
        };
        assert_eq!(
            codes(validate_dates(&reported, today())),
            ["reported_date_in_future"]
        );
    }

    #[test]
    fn amounts_are_bounded_and_only_shu_may_be_negative() {
        assert!(rupiah("shu", -1, true).is_ok());
        assert_eq!(
            rupiah("assets", -1, false).unwrap_err().code,
            "negative_amount"
        );
        assert!(rupiah("assets", 0, false).is_ok());
        assert!(rupiah("assets", MAX_RUPIAH, false).is_ok());
        assert_eq!(
            rupiah("assets", MAX_RUPIAH + 1, false).unwrap_err().code,
            "amount_out_of_range"
        );
        assert!(rupiah("shu", -MAX_RUPIAH, true).is_ok());
        assert!(rupiah("shu", -MAX_RUPIAH - 1, true).is_err());
        assert!(rupiah("shu", i64::MIN, true).is_err());
    }

    #[test]
    fn counts_run_from_zero_to_the_maximum() {
        assert_eq!(
            count("members_male", -1).unwrap_err().code,
            "negative_count"
        );
        assert!(count("members_male", 0).is_ok());
        assert!(count("members_male", MAX_COUNT).is_ok());
        assert_eq!(
            count("members_male", MAX_COUNT + 1).unwrap_err().code,
            "count_out_of_range"
        );
    }

    proptest! {
        #[test]
        fn any_meeting_after_the_book_year_and_not_after_today_is_valid(
            book_year in FIRST_BOOK_YEAR..2026, days_after in 0i64..2000
        ) {
            let held = date(book_year, 12, 31) + chrono::Duration::days(days_after);
            prop_assume!(held <= today());
            prop_assert!(validate_dates(&report(book_year, Some(held)), today()).is_ok());
        }
    }
}
