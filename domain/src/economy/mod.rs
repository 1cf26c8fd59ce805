//! The city's economy as reference data: its yearly PDRB (gross regional domestic product) as
//! published, the cooperatives' and UKM's share of it where an official source states one, and
//! the share the office aims for. A share is a percentage with at most two decimals, kept as
//! basis points (25.5 % = 2550) so that sums and comparisons are exact.

pub mod registry;

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::cooperative::{UnknownValue, text_enum};
use crate::{Violation, Violations, text};

/// The first year the office's records can speak of.
pub const FIRST_YEAR: i32 = 2000;

/// A percentage of PDRB, in hundredths of a percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Share(i32);

impl Share {
    pub const FULL: Share = Share(10_000);

    pub fn basis_points(self) -> i32 {
        self.0
    }

    pub fn from_basis_points(points: i32) -> Option<Self> {
        (1..=Self::FULL.0)
            .contains(&points)
            .then_some(Share(points))
    }

    /// A percentage above 0 and at most 100, with at most two decimals.
    pub fn from_percent(percent: Decimal) -> Option<Self> {
        let points = percent * Decimal::ONE_HUNDRED;
        if points.fract() != Decimal::ZERO {
            return None;
        }
        let points: i32 = points.trunc().try_into().ok()?;
        Self::from_basis_points(points)
    }

    pub fn percent(self) -> Decimal {
        Decimal::new(i64::from(self.0), 2)
    }
}

/// Checks a share field (`field`), naming what is wrong.
pub fn check_share(field: &str, percent: Decimal) -> Result<Share, Violation> {
    Share::from_percent(percent).ok_or_else(|| {
        Violation::new(
            field,
            "share_out_of_range",
            msg!("must be above 0 and at most 100, with at most two decimals"),
        )
    })
}

/// Whether the year is one the records can hold: from [`FIRST_YEAR`] to `latest`.
pub fn check_year(field: &str, year: i32, latest: i32) -> Result<(), Violation> {
    if (FIRST_YEAR..=latest).contains(&year) {
        Ok(())
    } else {
        Err(Violation::new(
            field,
            "year_out_of_range",
            msg!(
                "must be from %{first} to %{last}",
                first = FIRST_YEAR,
                last = latest
            ),
        ))
    }
}

text_enum!(
    /// Whether a publication is final or may still be revised: `preliminary` (angka sementara,
    /// BPS may revise it) or `final` (angka tetap).
    PublicationStatus { Preliminary => "preliminary", Final => "final" }
);

text_enum!(
    /// What a published share measures: `kumkm` (cooperatives and UKM) or `umkm` (micro, small and
    /// medium enterprises).
    ShareScope { Kumkm => "kumkm", Umkm => "umkm" }
);

/// One year's PDRB as published, in whole rupiah.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdrbYear {
    pub year: i32,
    pub current_prices: i64,
    pub constant_prices: i64,
    pub source: String,
}

/// The rules of a year's PDRB: a year on record, both figures above zero, a source named.
pub fn check_pdrb(pdrb: &PdrbYear, latest_year: i32) -> Result<(), Violations> {
    let mut violations = Violations::default();
    violations.check(check_year("year", pdrb.year, latest_year));
    for (field, value) in [
        ("pdrb_current_prices", pdrb.current_prices),
        ("pdrb_constant_prices", pdrb.constant_prices),
    ] {
        if value <= 0 {
            violations.push(Violation::new(
                field,
                "not_positive",
                msg!("must be more than 0 rupiah"),
            ));
        }
    }
    violations.check(text::single_line("pdrb_source", &pdrb.source, 500));
    violations.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn a_share_is_above_zero_at_most_a_hundred_with_two_decimals() {
        assert_eq!(
            Share::from_percent(dec("25")).map(Share::basis_points),
            Some(2500)
        );
        assert_eq!(
            Share::from_percent(dec("0.01")).map(Share::basis_points),
            Some(1)
        );
        assert_eq!(Share::from_percent(dec("100")), Some(Share::FULL));
        for refused in ["0", "-1", "100.01", "25.005", "1000000"] {
            assert_eq!(Share::from_percent(dec(refused)), None, "{refused}");
        }
        assert_eq!(
            Share::from_basis_points(3500).unwrap().percent(),
            dec("35.00")
        );
    }

    #[test]
    fn a_pdrb_year_needs_positive_figures_and_a_source() {
        let good = PdrbYear {
            year: 2017,
            current_prices: 38_000_000_000_000,
            constant_prices: 27_000_000_000_000,
            source: "BPS Kota Bogor, PDRB Kota Bogor menurut Lapangan Usaha 2013-2017".into(),
        };
        assert!(check_pdrb(&good, 2026).is_ok());
        let bad = PdrbYear {
            year: 1999,
            current_prices: 0,
            constant_prices: -1,
            source: " ".into(),
        };
        let fields: Vec<String> = check_pdrb(&bad, 2026)
            .unwrap_err()
            .0
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(
            fields,
            [
                "year",
                "pdrb_current_prices",
                "pdrb_constant_prices",
                "pdrb_source"
            ]
        );
        assert!(check_year("year", 2026, 2026).is_ok());
        assert!(check_year("year", 2027, 2026).is_err());
    }

    proptest! {
        #[test]
        fn basis_points_and_percent_round_trip(points in 1i32..=10_000) {
            let share = Share::from_basis_points(points).unwrap();
            prop_assert_eq!(Share::from_percent(share.percent()), Some(share));
        }
    }
}
