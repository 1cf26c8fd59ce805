//! What the registries say of a year: the arithmetic behind `GET /api/v1/economy` — sums, the
//! size-class mix and its movement, coverage, and the proxy share of PDRB. The app loads the
//! rows; every number a reader sees is computed here.
//!
//! Rupiah sums saturate at `i64::MAX` (9.2 × 10¹⁸) rather than wrap: Indonesia's whole PDRB is
//! about 2 × 10¹⁶ rupiah, so a saturated sum can only come from figures already refused as
//! implausible elsewhere.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::clinic::evaluation::size_rank;
use crate::size_class::SizeClass;

/// `part` as a percentage of `whole`, to two decimals (half away from zero); `None` when `whole`
/// is not above zero, so that an empty denominator never reads as 0 %.
pub fn percent_of(part: i64, whole: i64) -> Option<Decimal> {
    if whole <= 0 {
        return None;
    }
    let ratio = Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole);
    Some(ratio.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
}

/// How many of a year's reporting UKM fall in each size class (from that year's turnover).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SizeMix {
    pub mikro: i64,
    pub kecil: i64,
    pub menengah: i64,
    pub besar: i64,
    /// Reported without a turnover, so not classed.
    pub unclassified: i64,
}

impl SizeMix {
    pub fn count(&mut self, class: Option<SizeClass>) {
        let slot = match class {
            Some(SizeClass::Mikro) => &mut self.mikro,
            Some(SizeClass::Kecil) => &mut self.kecil,
            Some(SizeClass::Menengah) => &mut self.menengah,
            Some(SizeClass::Besar) => &mut self.besar,
            None => &mut self.unclassified,
        };
        *slot += 1;
    }

    pub fn total(&self) -> i64 {
        self.mikro + self.kecil + self.menengah + self.besar + self.unclassified
    }

    fn add(&mut self, other: &SizeMix) {
        self.mikro += other.mikro;
        self.kecil += other.kecil;
        self.menengah += other.menengah;
        self.besar += other.besar;
        self.unclassified += other.unclassified;
    }
}

/// How the UKM classed in both a year and the year before moved between them (the caller classes
/// both years under the same thresholds).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Movement {
    /// To a larger class (mikro → kecil, …).
    pub up: i64,
    /// To a smaller class.
    pub down: i64,
    /// The same class both years.
    pub same: i64,
}

impl Movement {
    pub fn record(&mut self, before: SizeClass, after: SizeClass) {
        match size_rank(after).cmp(&size_rank(before)) {
            std::cmp::Ordering::Greater => self.up += 1,
            std::cmp::Ordering::Less => self.down += 1,
            std::cmp::Ordering::Equal => self.same += 1,
        }
    }

    fn add(&mut self, other: &Movement) {
        self.up += other.up;
        self.down += other.down;
        self.same += other.same;
    }
}

/// One UKM's figures for one year, as the year's sums read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UkmReport {
    pub turnover: Option<i64>,
    pub workers: Option<i64>,
    /// From the turnover under the thresholds in force at the year's end.
    pub class: Option<SizeClass>,
}

/// What the UKM registry says of one year, for one kecamatan or the whole area.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UkmYear {
    /// UKM on the registry with figures for the year (the rows of
    /// `/exports/yearly-figures.csv?year=`).
    pub reporting: i64,
    /// Sum of the reported turnover, in rupiah (a missing turnover adds nothing).
    pub turnover: i64,
    /// Sum of the reported workers.
    pub workers: i64,
    /// UKM entered in the registry during the year (`/ukm?registered_year=`).
    pub new_registrations: i64,
    pub size_mix: SizeMix,
    pub movement: Movement,
}

impl UkmYear {
    /// Counts one UKM's report; `previous` is its class the year before, where it reported one.
    pub fn count(&mut self, report: UkmReport, previous: Option<SizeClass>) {
        self.reporting += 1;
        self.turnover = self.turnover.saturating_add(report.turnover.unwrap_or(0));
        self.workers = self.workers.saturating_add(report.workers.unwrap_or(0));
        self.size_mix.count(report.class);
        if let (Some(before), Some(after)) = (previous, report.class) {
            self.movement.record(before, after);
        }
    }

    /// Adds another part (a kecamatan) to this whole.
    pub fn add(&mut self, other: &UkmYear) {
        self.reporting += other.reporting;
        self.turnover = self.turnover.saturating_add(other.turnover);
        self.workers = self.workers.saturating_add(other.workers);
        self.new_registrations += other.new_registrations;
        self.size_mix.add(&other.size_mix);
        self.movement.add(&other.movement);
    }
}

/// One cooperative's annual report, as the year's sums read it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CooperativeReport {
    pub rat_held: bool,
    pub business_volume: Option<i64>,
    pub assets: Option<i64>,
    pub own_capital: Option<i64>,
    pub shu: Option<i64>,
    pub members_male: Option<i64>,
    pub members_female: Option<i64>,
    pub employees: Option<i64>,
}

/// What the cooperative registry says of one book year, for one kecamatan or the whole area.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CooperativeYear {
    /// Cooperatives on the registry that filed an annual report for the book year (the rows of
    /// `/exports/annual-reports.csv?book_year=`).
    pub reporting: i64,
    /// Of those, how many held their RAT.
    pub rat_held: i64,
    /// Sums in rupiah (a missing figure adds nothing; SHU may be negative).
    pub business_volume: i64,
    pub assets: i64,
    pub own_capital: i64,
    pub shu: i64,
    pub members_male: i64,
    pub members_female: i64,
    pub employees: i64,
}

impl CooperativeYear {
    pub fn count(&mut self, report: &CooperativeReport) {
        self.reporting += 1;
        self.rat_held += i64::from(report.rat_held);
        let add = |sum: &mut i64, value: Option<i64>| {
            *sum = sum.saturating_add(value.unwrap_or(0));
        };
        add(&mut self.business_volume, report.business_volume);
        add(&mut self.assets, report.assets);
        add(&mut self.own_capital, report.own_capital);
        add(&mut self.shu, report.shu);
        add(&mut self.members_male, report.members_male);
        add(&mut self.members_female, report.members_female);
        add(&mut self.employees, report.employees);
    }

    pub fn add(&mut self, other: &CooperativeYear) {
        self.reporting += other.reporting;
        self.rat_held += other.rat_held;
        for (sum, value) in [
            (&mut self.business_volume, other.business_volume),
            (&mut self.assets, other.assets),
            (&mut self.own_capital, other.own_capital),
            (&mut self.shu, other.shu),
            (&mut self.members_male, other.members_male),
            (&mut self.members_female, other.members_female),
            (&mut self.employees, other.employees),
        ] {
            *sum = sum.saturating_add(value);
        }
    }
}

/// The registries' output for a year: UKM turnover plus cooperatives' business volume. It is
/// gross output, not value added (PDRB counts value added), and a UKM that is a member of a
/// cooperative may be in both — so the proxy share is a trend to watch, never the official share.
pub fn registry_output(ukm: &UkmYear, cooperatives: &CooperativeYear) -> i64 {
    ukm.turnover.saturating_add(cooperatives.business_volume)
}

/// The proxy share: the registries' output as a percentage of PDRB at current prices.
pub fn proxy_share(output: i64, pdrb_current_prices: i64) -> Option<Decimal> {
    percent_of(output, pdrb_current_prices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use SizeClass::*;
    use proptest::prelude::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn percentages_round_to_two_decimals_and_need_a_denominator() {
        assert_eq!(percent_of(8_500, 23_706), Some(dec("35.86")));
        assert_eq!(percent_of(1, 3), Some(dec("33.33")));
        assert_eq!(percent_of(2, 3), Some(dec("66.67")));
        // 1/8 % = 0.125 rounds away from zero.
        assert_eq!(percent_of(1, 800), Some(dec("0.13")));
        assert_eq!(percent_of(0, 5), Some(dec("0")));
        assert_eq!(percent_of(5, 5), Some(dec("100")));
        assert_eq!(percent_of(5, 0), None);
        assert_eq!(percent_of(5, -1), None);
        assert_eq!(
            percent_of(i64::MAX, 1),
            Some(Decimal::from(i64::MAX) * dec("100"))
        );
    }

    #[test]
    fn a_year_counts_sums_classes_and_moves() {
        let mut year = UkmYear::default();
        let report = |turnover, workers, class| UkmReport {
            turnover,
            workers,
            class,
        };
        year.count(report(Some(300), Some(2), Some(Mikro)), Some(Mikro));
        year.count(report(Some(900), None, Some(Kecil)), Some(Mikro));
        year.count(report(None, Some(4), None), Some(Kecil));
        year.count(report(Some(50), Some(1), Some(Mikro)), Some(Menengah));
        year.count(report(Some(10), Some(1), Some(Mikro)), None);
        assert_eq!((year.reporting, year.turnover, year.workers), (5, 1_260, 8));
        assert_eq!(
            year.size_mix,
            SizeMix {
                mikro: 3,
                kecil: 1,
                unclassified: 1,
                ..SizeMix::default()
            }
        );
        assert_eq!(
            year.movement,
            Movement {
                up: 1,
                down: 1,
                same: 1
            }
        );
    }

    #[test]
    fn cooperative_sums_skip_missing_figures_and_keep_losses() {
        let mut year = CooperativeYear::default();
        year.count(&CooperativeReport {
            rat_held: true,
            business_volume: Some(1_000),
            shu: Some(-40),
            members_male: Some(10),
            members_female: Some(12),
            ..CooperativeReport::default()
        });
        year.count(&CooperativeReport {
            shu: Some(15),
            ..CooperativeReport::default()
        });
        assert_eq!((year.reporting, year.rat_held), (2, 1));
        assert_eq!((year.business_volume, year.shu), (1_000, -25));
        assert_eq!((year.members_male, year.members_female), (10, 12));
    }

    #[test]
    fn the_proxy_adds_both_registries_and_saturates() {
        let ukm = UkmYear {
            turnover: 600,
            ..UkmYear::default()
        };
        let cooperatives = CooperativeYear {
            business_volume: 400,
            ..CooperativeYear::default()
        };
        let output = registry_output(&ukm, &cooperatives);
        assert_eq!(proxy_share(output, 4_000), Some(dec("25")));
        assert_eq!(proxy_share(output, 0), None);
        let huge = UkmYear {
            turnover: i64::MAX,
            ..UkmYear::default()
        };
        assert_eq!(registry_output(&huge, &cooperatives), i64::MAX);
    }

    fn class() -> impl Strategy<Value = Option<SizeClass>> {
        prop_oneof![
            Just(None),
            Just(Some(Mikro)),
            Just(Some(Kecil)),
            Just(Some(Menengah)),
            Just(Some(Besar))
        ]
    }

    fn reports() -> impl Strategy<Value = Vec<(UkmReport, Option<SizeClass>, u8)>> {
        let report = (
            proptest::option::of(0i64..1_000_000_000_000),
            proptest::option::of(0i64..1_000),
            class(),
        )
            .prop_map(|(turnover, workers, class)| UkmReport {
                turnover,
                workers,
                class,
            });
        proptest::collection::vec((report, class(), 0u8..6), 0..60)
    }

    proptest! {
        #[test]
        fn parts_sum_to_the_whole(reports in reports()) {
            let mut whole = UkmYear::default();
            let mut parts = [UkmYear::default(); 6];
            for (report, previous, part) in &reports {
                whole.count(*report, *previous);
                parts[usize::from(*part)].count(*report, *previous);
            }
            let mut summed = UkmYear::default();
            for part in &parts {
                summed.add(part);
            }
            prop_assert_eq!(summed, whole);
            prop_assert_eq!(whole.size_mix.total(), whole.reporting);
            let moved = whole.movement.up + whole.movement.down + whole.movement.same;
            let classed_both = reports
                .iter()
                .filter(|(r, p, _)| r.class.is_some() && p.is_some())
                .count() as i64;
            prop_assert_eq!(moved, classed_both);
        }

        #[test]
        fn a_part_of_a_whole_is_between_0_and_100_percent(whole in 1i64..10_000_000, part in 0i64..10_000_000) {
            let part = part.min(whole);
            let percent = percent_of(part, whole).unwrap();
            prop_assert!(percent >= Decimal::ZERO && percent <= Decimal::ONE_HUNDRED);
            prop_assert_eq!(percent_of(whole, whole), Some(Decimal::ONE_HUNDRED));
            prop_assert!(percent.scale() <= 2);
        }
    }
}
