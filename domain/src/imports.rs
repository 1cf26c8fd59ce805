//! Spreadsheet imports: what a file holds, its format, and how an import ended.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::cooperative::{UnknownValue, text_enum};

text_enum!(
    /// What a spreadsheet holds.
    ImportKind {
        /// Cooperatives, in the layout of `GET /api/v1/exports/cooperatives.csv`.
        Cooperatives => "cooperatives",
        /// Annual reports, in the layout of `GET /api/v1/exports/annual-reports.csv`.
        AnnualReports => "annual_reports",
        /// UKM with their owners, in the layout of `GET /api/v1/exports/ukm.csv`.
        Ukm => "ukm",
        /// UKM yearly figures, in the layout of `GET /api/v1/exports/yearly-figures.csv`.
        YearlyFigures => "yearly_figures",
        /// The city's PDRB by year (admins and officers only): `year`, `pdrb_current_prices`,
        /// `pdrb_constant_prices`, `pdrb_source`, `pdrb_status`, and optionally
        /// `published_share_percent`, `published_share_scope`, `published_share_source`.
        EconomyYears => "economy_years",
    }
);

text_enum!(
    /// How an import ended.
    ImportOutcome {
        /// A dry run: checked, nothing written.
        Validated => "validated",
        /// Every row applied in one transaction.
        Applied => "applied",
        /// A real run that found problems: nothing was applied.
        Rejected => "rejected",
    }
);

text_enum!(
    /// The spreadsheet formats an import reads and an export writes.
    FileFormat { Csv => "csv", Xlsx => "xlsx" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_reads_back_from_its_spelling() {
        for kind in ImportKind::ALL {
            assert_eq!(kind.as_str().parse::<ImportKind>(), Ok(*kind));
        }
        for outcome in ImportOutcome::ALL {
            assert_eq!(outcome.as_str().parse::<ImportOutcome>(), Ok(*outcome));
        }
        assert_eq!("xlsx".parse::<FileFormat>(), Ok(FileFormat::Xlsx));
        assert!("XLSX".parse::<FileFormat>().is_err());
    }
}
