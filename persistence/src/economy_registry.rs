//! The registry rows the economy view sums (`klinik_domain::economy::registry` does the
//! arithmetic): UKM yearly figures and cooperatives' annual reports for a span of years, and how
//! many UKM and cooperatives each kecamatan or kelurahan has. Archived records are left out, as
//! the lists and exports leave them out by default, so every count matches their totals.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::schema::{annual_reports, cooperatives, ukm, ukm_yearly_figures};
use crate::{AnyConnection, StoreError, UkmId};

/// One UKM's figures for one year, with where the UKM is.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct UkmFigureRow {
    pub ukm_id: UkmId,
    pub kecamatan_code: String,
    pub year: i32,
    pub turnover: Option<i64>,
    pub workers: Option<i64>,
}

/// The figures of UKM on the registry for `from..=to`, by UKM and then year.
pub fn ukm_figures(
    conn: &mut AnyConnection,
    from: i32,
    to: i32,
) -> Result<Vec<UkmFigureRow>, StoreError> {
    use ukm_yearly_figures as f;
    Ok(f::table
        .inner_join(ukm::table)
        .filter(ukm::archived_at.is_null())
        .filter(f::year.between(from, to))
        .order((f::ukm_id, f::year))
        .select((
            f::ukm_id,
            ukm::kecamatan_code,
            f::year,
            f::turnover,
            f::workers,
        ))
        .load(conn)?)
}

/// UKM on the registry, by kecamatan.
pub fn ukm_by_kecamatan(conn: &mut AnyConnection) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(ukm::table
        .filter(ukm::archived_at.is_null())
        .group_by(ukm::kecamatan_code)
        .select((ukm::kecamatan_code, count_star()))
        .load(conn)?)
}

/// The first moment of `year` (UTC), as stored timestamps are.
pub fn year_start(year: i32) -> Option<NaiveDateTime> {
    NaiveDate::from_ymd_opt(year, 1, 1)?.and_hms_opt(0, 0, 0)
}

/// UKM on the registry that were entered during `year` (by `created_at`, UTC), by kecamatan.
pub fn ukm_registered_in(
    conn: &mut AnyConnection,
    year: i32,
) -> Result<Vec<(String, i64)>, StoreError> {
    let (Some(start), Some(end)) = (year_start(year), year_start(year + 1)) else {
        return Ok(Vec::new());
    };
    Ok(ukm::table
        .filter(ukm::archived_at.is_null())
        .filter(ukm::created_at.ge(start))
        .filter(ukm::created_at.lt(end))
        .group_by(ukm::kecamatan_code)
        .select((ukm::kecamatan_code, count_star()))
        .load(conn)?)
}

/// Cooperatives on the registry, by kelurahan (their kecamatan is the code's prefix).
pub fn cooperatives_by_kelurahan(
    conn: &mut AnyConnection,
) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(cooperatives::table
        .filter(cooperatives::archived_at.is_null())
        .group_by(cooperatives::kelurahan_code)
        .select((cooperatives::kelurahan_code, count_star()))
        .load(conn)?)
}

/// One annual report's figures, with its cooperative's kelurahan.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct AnnualReportFigures {
    pub kelurahan_code: String,
    pub book_year: i32,
    pub rat_held: bool,
    pub business_volume: Option<i64>,
    pub assets: Option<i64>,
    pub own_capital: Option<i64>,
    pub shu: Option<i64>,
    pub members_male: Option<i64>,
    pub members_female: Option<i64>,
    pub employees: Option<i64>,
}

/// The annual reports of cooperatives on the registry for book years `from..=to`.
pub fn annual_report_figures(
    conn: &mut AnyConnection,
    from: i32,
    to: i32,
) -> Result<Vec<AnnualReportFigures>, StoreError> {
    use annual_reports as r;
    Ok(r::table
        .inner_join(cooperatives::table)
        .filter(cooperatives::archived_at.is_null())
        .filter(r::book_year.between(from, to))
        .select((
            cooperatives::kelurahan_code,
            r::book_year,
            r::rat_held,
            r::business_volume,
            r::assets,
            r::own_capital,
            r::shu,
            r::members_male,
            r::members_female,
            r::employees,
        ))
        .load(conn)?)
}
