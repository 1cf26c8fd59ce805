//! Cooperatives and their annual reports as spreadsheets.

use std::collections::HashMap;

use klinik_domain::activity_status::ActivityStatus;
use klinik_domain::cooperative::{CooperativeForm, CooperativeType};
use klinik_persistence::{annual_reports, cooperatives};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Download, MAX_EXPORT_ROWS, check_year, file, too_many};
use crate::prelude::*;
use crate::registry::cooperatives::query::CooperativeFilters;
use crate::registry::imports;
use crate::registry::region_codes::KelurahanCode;
use crate::registry::regions::{KabupatenKotaCode, KecamatanCode};
use crate::spreadsheet::Format;

/// The cooperative list's filters (no paging: the export holds every match).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CooperativeExportQuery {
    /// Only cooperatives in this kabupaten/kota.
    pub kabupaten_kota_code: Option<KabupatenKotaCode>,
    /// Only cooperatives in this kecamatan.
    pub kecamatan_code: Option<KecamatanCode>,
    /// Only cooperatives in this kelurahan.
    #[param(value_type = Option<KelurahanCode>)]
    pub kelurahan_code: Option<String>,
    /// Only this type (jenis).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub cooperative_type: Option<CooperativeType>,
    /// Only this form (bentuk).
    pub form: Option<CooperativeForm>,
    /// Only this activity status (the one in force).
    pub status: Option<ActivityStatus>,
    /// Only those that run (or do not run) a savings-and-loan business.
    pub savings_and_loan: Option<bool>,
    /// Part of the name or registration number, case-insensitive.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Include archived cooperatives.
    pub include_archived: Option<bool>,
}

// The cooperative filters are repeated, not flattened: see `YearlyFiguresExportQuery`.
/// The cooperative export's filters and the book year of the reports.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AnnualReportExportQuery {
    /// Only the reports of this book year.
    #[param(minimum = 1945, maximum = 9999)]
    pub book_year: Option<i32>,
    /// Only cooperatives in this kabupaten/kota.
    pub kabupaten_kota_code: Option<KabupatenKotaCode>,
    /// Only cooperatives in this kecamatan.
    pub kecamatan_code: Option<KecamatanCode>,
    /// Only cooperatives in this kelurahan.
    #[param(value_type = Option<KelurahanCode>)]
    pub kelurahan_code: Option<String>,
    /// Only this type (jenis).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub cooperative_type: Option<CooperativeType>,
    /// Only this form (bentuk).
    pub form: Option<CooperativeForm>,
    /// Only this activity status (the one in force).
    pub status: Option<ActivityStatus>,
    /// Only those that run (or do not run) a savings-and-loan business.
    pub savings_and_loan: Option<bool>,
    /// Part of the name or registration number, case-insensitive.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Include archived cooperatives.
    pub include_archived: Option<bool>,
}

impl AnnualReportExportQuery {
    fn split(self) -> Result<(CooperativeExportQuery, Option<i32>), Error> {
        check_year("book_year", self.book_year)?;
        let cooperatives = CooperativeExportQuery {
            kabupaten_kota_code: self.kabupaten_kota_code,
            kecamatan_code: self.kecamatan_code,
            kelurahan_code: self.kelurahan_code,
            cooperative_type: self.cooperative_type,
            form: self.form,
            status: self.status,
            savings_and_loan: self.savings_and_loan,
            q: self.q,
            include_archived: self.include_archived,
        };
        Ok((cooperatives, self.book_year))
    }
}

impl CooperativeExportQuery {
    fn filters(self) -> CooperativeFilters {
        CooperativeFilters {
            kabupaten_kota_code: self.kabupaten_kota_code,
            kecamatan_code: self.kecamatan_code,
            kelurahan_code: self.kelurahan_code,
            cooperative_type: self.cooperative_type,
            form: self.form,
            status: self.status,
            savings_and_loan: self.savings_and_loan,
            q: self.q,
            include_archived: self.include_archived,
        }
    }
}

/// The reports of every matching cooperative (of one book year, or all), each naming its
/// cooperative by registration number.
pub async fn annual_reports(
    ctx: &Ctx,
    query: AnnualReportExportQuery,
    format: Format,
) -> Result<Download, Error> {
    let (cooperative_query, book_year) = query.split()?;
    let filter = cooperative_query.filters().into_store(&ctx.app.regions)?;
    let rows = ctx
        .read_nearby(move |conn, _ctx| {
            let cooperatives = cooperatives::list_all(conn, &filter, MAX_EXPORT_ROWS + 1)?;
            if cooperatives.len() as i64 > MAX_EXPORT_ROWS {
                return Err(too_many(msg!("cooperatives")));
            }
            let ids: Vec<CooperativeId> = cooperatives.iter().map(|c| c.id).collect();
            let numbers: HashMap<CooperativeId, Option<String>> = cooperatives
                .into_iter()
                .map(|c| (c.id, c.registration_number))
                .collect();
            let mut out = Vec::new();
            for report in annual_reports::find_by_cooperatives(conn, &ids)? {
                if book_year.is_some_and(|y| y != report.book_year) {
                    continue;
                }
                let number = numbers.get(&report.cooperative_id).cloned().flatten();
                out.push(imports::annual_reports::cells(number.as_deref(), &report));
            }
            if out.len() as i64 > MAX_EXPORT_ROWS {
                return Err(too_many(msg!("annual reports")));
            }
            Ok(out)
        })
        .await?;
    file(
        format,
        "annual-reports",
        imports::annual_reports::COLUMNS,
        &rows,
    )
}

/// Every matching cooperative (at most [`MAX_EXPORT_ROWS`]), without board or status.
pub async fn cooperatives(
    ctx: &Ctx,
    query: CooperativeExportQuery,
    format: Format,
) -> Result<Download, Error> {
    let filter = query.filters().into_store(&ctx.app.regions)?;
    let rows = ctx
        .read_nearby(move |conn, _ctx| {
            let rows = cooperatives::list_all(conn, &filter, MAX_EXPORT_ROWS + 1)?;
            if rows.len() as i64 > MAX_EXPORT_ROWS {
                return Err(too_many(msg!("cooperatives")));
            }
            Ok(rows
                .iter()
                .map(imports::cooperatives::cells)
                .collect::<Vec<_>>())
        })
        .await?;
    file(
        format,
        "cooperatives",
        imports::cooperatives::COLUMNS,
        &rows,
    )
}
