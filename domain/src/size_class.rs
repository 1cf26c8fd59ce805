//! Size class of a business (mikro / kecil / menengah) from its capital or annual sales, under the
//! regulation in force on the date of the figures (docs/domain.md, "Size classes"). The
//! thresholds are data: callers pass the set that applies, usually read from a reference table.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::cooperative::{UnknownValue, text_enum};

text_enum!(
    /// Skala usaha: `mikro` (micro), `kecil` (small), `menengah` (medium); `besar` (large) is
    /// above the UMKM ceilings.
    SizeClass { Mikro => "mikro", Kecil => "kecil", Menengah => "menengah", Besar => "besar" }
);

text_enum!(
    /// Which figure decided the class: `annual_sales` (hasil penjualan tahunan) or `capital`
    /// (modal usaha; under UU 20/2008 kekayaan bersih).
    SizeBasis { AnnualSales => "annual_sales", Capital => "capital" }
);

/// Upper bounds (inclusive) of mikro, kecil and menengah for one figure, in rupiah.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ceilings {
    pub mikro: i64,
    pub kecil: i64,
    pub menengah: i64,
}

impl Ceilings {
    fn classify(&self, amount: i64) -> SizeClass {
        if amount <= self.mikro {
            SizeClass::Mikro
        } else if amount <= self.kecil {
            SizeClass::Kecil
        } else if amount <= self.menengah {
            SizeClass::Menengah
        } else {
            SizeClass::Besar
        }
    }
}

/// One regulation's thresholds and the first day they apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thresholds {
    /// e.g. `PP 7/2021`.
    pub regulation: String,
    pub effective_from: NaiveDate,
    pub capital: Ceilings,
    pub annual_sales: Ceilings,
}

/// The thresholds of PP 7/2021 Pasal 35 (from 2 February 2021).
pub fn pp_7_2021() -> Thresholds {
    Thresholds {
        regulation: "PP 7/2021".into(),
        effective_from: NaiveDate::from_ymd_opt(2021, 2, 2).unwrap_or_default(),
        capital: Ceilings {
            mikro: 1_000_000_000,
            kecil: 5_000_000_000,
            menengah: 10_000_000_000,
        },
        annual_sales: Ceilings {
            mikro: 2_000_000_000,
            kecil: 15_000_000_000,
            menengah: 50_000_000_000,
        },
    }
}

/// The thresholds of UU 20/2008 Pasal 6 (net assets, annual sales), for figures before PP 7/2021.
pub fn uu_20_2008() -> Thresholds {
    Thresholds {
        regulation: "UU 20/2008".into(),
        effective_from: NaiveDate::from_ymd_opt(2008, 7, 4).unwrap_or_default(),
        capital: Ceilings {
            mikro: 50_000_000,
            kecil: 500_000_000,
            menengah: 10_000_000_000,
        },
        annual_sales: Ceilings {
            mikro: 300_000_000,
            kecil: 2_500_000_000,
            menengah: 50_000_000_000,
        },
    }
}

/// The thresholds in force on `date`: the latest whose `effective_from` is not after it, else the
/// earliest known.
pub fn in_force(sets: &[Thresholds], date: NaiveDate) -> Option<&Thresholds> {
    sets.iter()
        .filter(|t| t.effective_from <= date)
        .max_by_key(|t| t.effective_from)
        .or_else(|| sets.iter().min_by_key(|t| t.effective_from))
}

/// The class and the figure that decided it. Annual sales decide when known (the criterion for
/// running businesses), capital otherwise (the criterion at registration); `None` without either.
pub fn classify(
    thresholds: &Thresholds,
    capital: Option<i64>,
    annual_sales: Option<i64>,
) -> Option<(SizeClass, SizeBasis)> {
    match (annual_sales, capital) {
        (Some(sales), _) => Some((
            thresholds.annual_sales.classify(sales),
            SizeBasis::AnnualSales,
        )),
        (None, Some(capital)) => Some((thresholds.capital.classify(capital), SizeBasis::Capital)),
        (None, None) => None,
    }
}

/// A year's class from its turnover (a running business's criterion), under the thresholds in
/// force at the year's end; `None` without a turnover.
pub fn class_of_year(sets: &[Thresholds], year: i32, turnover: Option<i64>) -> Option<SizeClass> {
    let year_end = NaiveDate::from_ymd_opt(year, 12, 31)?;
    let thresholds = in_force(sets, year_end)?;
    classify(thresholds, None, turnover).map(|(class, _)| class)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const BILLION: i64 = 1_000_000_000;

    fn by_capital(amount: i64) -> SizeClass {
        classify(&pp_7_2021(), Some(amount), None).unwrap().0
    }

    fn by_sales(amount: i64) -> SizeClass {
        classify(&pp_7_2021(), None, Some(amount)).unwrap().0
    }

    #[test]
    fn capital_boundaries_of_pp_7_2021() {
        assert_eq!(by_capital(BILLION), SizeClass::Mikro);
        assert_eq!(by_capital(BILLION + 1), SizeClass::Kecil);
        assert_eq!(by_capital(5 * BILLION), SizeClass::Kecil);
        assert_eq!(by_capital(5 * BILLION + 1), SizeClass::Menengah);
        assert_eq!(by_capital(10 * BILLION), SizeClass::Menengah);
        assert_eq!(by_capital(10 * BILLION + 1), SizeClass::Besar);
        assert_eq!(by_capital(0), SizeClass::Mikro);
    }

    #[test]
    fn sales_boundaries_of_pp_7_2021() {
        assert_eq!(by_sales(2 * BILLION), SizeClass::Mikro);
        assert_eq!(by_sales(2 * BILLION + 1), SizeClass::Kecil);
        assert_eq!(by_sales(15 * BILLION), SizeClass::Kecil);
        assert_eq!(by_sales(15 * BILLION + 1), SizeClass::Menengah);
        assert_eq!(by_sales(50 * BILLION), SizeClass::Menengah);
        assert_eq!(by_sales(50 * BILLION + 1), SizeClass::Besar);
    }

    #[test]
    fn sales_decide_when_known_and_the_basis_is_recorded() {
        let t = pp_7_2021();
        assert_eq!(
            classify(&t, Some(9 * BILLION), Some(BILLION)),
            Some((SizeClass::Mikro, SizeBasis::AnnualSales))
        );
        assert_eq!(
            classify(&t, Some(9 * BILLION), None),
            Some((SizeClass::Menengah, SizeBasis::Capital))
        );
        assert_eq!(classify(&t, None, None), None);
    }

    #[test]
    fn figures_dated_before_2021_use_uu_20_2008() {
        let sets = [uu_20_2008(), pp_7_2021()];
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            in_force(&sets, day(2020, 12, 31)).unwrap().regulation,
            "UU 20/2008"
        );
        assert_eq!(
            in_force(&sets, day(2021, 2, 1)).unwrap().regulation,
            "UU 20/2008"
        );
        assert_eq!(
            in_force(&sets, day(2021, 2, 2)).unwrap().regulation,
            "PP 7/2021"
        );
        assert_eq!(
            in_force(&sets, day(2000, 1, 1)).unwrap().regulation,
            "UU 20/2008",
            "the earliest known"
        );
        let old = in_force(&sets, day(2017, 6, 5)).unwrap();
        assert_eq!(
            classify(old, None, Some(300_000_000)).unwrap().0,
            SizeClass::Mikro
        );
        assert_eq!(
            classify(old, None, Some(300_000_001)).unwrap().0,
            SizeClass::Kecil
        );
        assert_eq!(
            classify(old, Some(50_000_001), None).unwrap().0,
            SizeClass::Kecil
        );
    }

    proptest! {
        #[test]
        fn more_sales_never_make_a_business_smaller(a in 0i64..100 * BILLION, b in 0i64..100 * BILLION) {
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            let rank = |c: SizeClass| SizeClass::ALL.iter().position(|x| *x == c);
            prop_assert!(rank(by_sales(low)) <= rank(by_sales(high)));
        }
    }
}
