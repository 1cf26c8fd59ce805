//! `GET /api/v1/economy.csv` and `.xlsx`: the economy view as one flat table the city's data
//! portal can take as is — a row per year for the whole area, or with `group_by=kecamatan` a row
//! per year and kecamatan (the city's PDRB columns left empty there, since PDRB is not
//! published by kecamatan). Counts and sums only: nothing in it is personal.

use super::figures::{CooperativeEconomy, EconomyQuery, EconomyYearFigures, UkmEconomy, view};
use crate::prelude::*;
use crate::registry::exports::Download;
use crate::spreadsheet::{self, Format};

/// The columns, in order; `true` for a number (written as a number in XLSX).
const COLUMNS: &[(&str, bool)] = &[
    ("year", true),
    ("kecamatan_code", false),
    ("kecamatan_name", false),
    ("pdrb_current_prices", true),
    ("pdrb_constant_prices", true),
    ("pdrb_status", false),
    ("published_share_percent", true),
    ("published_share_scope", false),
    ("target_percent", true),
    ("target_year", true),
    ("registry_output", true),
    ("proxy_share_percent_output_not_value_added", true),
    ("ukm_registered", true),
    ("ukm_reporting", true),
    ("ukm_coverage_percent", true),
    ("ukm_turnover", true),
    ("ukm_workers", true),
    ("ukm_new_registrations", true),
    ("ukm_mikro", true),
    ("ukm_kecil", true),
    ("ukm_menengah", true),
    ("ukm_besar", true),
    ("ukm_unclassified", true),
    ("ukm_moved_up", true),
    ("ukm_moved_down", true),
    ("ukm_same_class", true),
    ("cooperatives_registered", true),
    ("cooperatives_reporting", true),
    ("cooperatives_coverage_percent", true),
    ("cooperatives_rat_held", true),
    ("cooperatives_business_volume", true),
    ("cooperatives_assets", true),
    ("cooperatives_own_capital", true),
    ("cooperatives_shu", true),
    ("cooperatives_members_male", true),
    ("cooperatives_members_female", true),
    ("cooperatives_employees", true),
];

fn registry_cells(ukm: &UkmEconomy, cooperatives: &CooperativeEconomy) -> Vec<String> {
    let (u, c) = (&ukm.year, &cooperatives.year);
    let mut cells = vec![
        ukm.registered.to_string(),
        u.reporting.to_string(),
        ukm.coverage_percent.clone().unwrap_or_default(),
    ];
    cells.extend(
        [
            u.turnover,
            u.workers,
            u.new_registrations,
            u.size_mix.mikro,
            u.size_mix.kecil,
            u.size_mix.menengah,
            u.size_mix.besar,
            u.size_mix.unclassified,
            u.movement.up,
            u.movement.down,
            u.movement.same,
            cooperatives.registered,
            c.reporting,
        ]
        .map(|n| n.to_string()),
    );
    cells.push(cooperatives.coverage_percent.clone().unwrap_or_default());
    cells.extend(
        [
            c.rat_held,
            c.business_volume,
            c.assets,
            c.own_capital,
            c.shu,
            c.members_male,
            c.members_female,
            c.employees,
        ]
        .map(|n| n.to_string()),
    );
    cells
}

/// The city's columns of a year: its PDRB, the published share, the target and the proxy.
fn city_cells(year: &EconomyYearFigures) -> Vec<String> {
    let share = year.published_share.as_ref();
    vec![
        year.pdrb
            .as_ref()
            .map(|p| p.current_prices.to_string())
            .unwrap_or_default(),
        year.pdrb
            .as_ref()
            .map(|p| p.constant_prices.to_string())
            .unwrap_or_default(),
        year.pdrb
            .as_ref()
            .map(|p| p.status.as_str().to_owned())
            .unwrap_or_default(),
        share
            .map(|s| s.percent.normalize().to_string())
            .unwrap_or_default(),
        share
            .map(|s| s.scope.as_str().to_owned())
            .unwrap_or_default(),
        year.target.percent.normalize().to_string(),
        year.target.year.to_string(),
        year.registry_output.to_string(),
        year.proxy_share_percent.clone().unwrap_or_default(),
    ]
}

/// The table's rows for a view.
pub fn rows(years: &[EconomyYearFigures]) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for year in years {
        match &year.kecamatan {
            None => {
                let mut row = vec![year.year.to_string(), String::new(), String::new()];
                row.extend(city_cells(year));
                row.extend(registry_cells(&year.ukm, &year.cooperatives));
                rows.push(row);
            }
            Some(parts) => {
                for part in parts {
                    let mut row = vec![
                        year.year.to_string(),
                        part.kecamatan_code.clone(),
                        part.kecamatan_name.clone(),
                    ];
                    row.extend(std::iter::repeat_n(String::new(), 9));
                    row.extend(registry_cells(&part.ukm, &part.cooperatives));
                    rows.push(row);
                }
            }
        }
    }
    rows
}

pub async fn export(ctx: &Ctx, query: EconomyQuery, format: Format) -> Result<Download, Error> {
    let view = view(ctx, query).await?;
    let headers: Vec<&str> = COLUMNS.iter().map(|(name, _)| *name).collect();
    let numeric: Vec<bool> = COLUMNS.iter().map(|(_, number)| *number).collect();
    let body = spreadsheet::write(format, &headers, &numeric, &rows(&view.years))
        .map_err(|e| Error::internal(&e))?;
    Ok(Download {
        format,
        name: "economy",
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_a_cell_per_column() {
        use super::super::figures::*;
        use klinik_domain::economy::registry::{CooperativeYear, UkmYear};
        let ukm = UkmEconomy {
            registered: 3,
            coverage_percent: Some("33.33".into()),
            year: UkmYear::default(),
        };
        let cooperatives = CooperativeEconomy {
            registered: 0,
            coverage_percent: None,
            year: CooperativeYear::default(),
        };
        let target = super::super::EconomicTarget {
            percent: rust_decimal::Decimal::new(35, 0),
            year: 2024,
            version: 1,
            updated_at: chrono::Utc::now(),
        };
        let year = |kecamatan| EconomyYearFigures {
            year: 2017,
            pdrb: None,
            published_share: None,
            registry_output: 0,
            proxy_share_percent: None,
            target: target.clone(),
            ukm: ukm.clone(),
            cooperatives: cooperatives.clone(),
            kecamatan,
        };
        let part = KecamatanEconomy {
            kecamatan_code: "32.71.01".into(),
            kecamatan_name: "Bogor Selatan".into(),
            ukm: ukm.clone(),
            cooperatives: cooperatives.clone(),
        };
        let table = rows(&[year(None), year(Some(vec![part.clone(), part]))]);
        assert_eq!(table.len(), 3);
        assert!(table.iter().all(|row| row.len() == COLUMNS.len()));
    }
}
