//! Annual reports: one per cooperative and book year.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::ids::{AnnualReportId, CooperativeId};
use crate::schema::annual_reports;
use crate::{AnyConnection, StoreError, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = annual_reports)]
pub struct AnnualReportRow {
    pub id: AnnualReportId,
    pub cooperative_id: CooperativeId,
    pub book_year: i32,
    pub rat_held: bool,
    pub rat_date: Option<NaiveDate>,
    pub reported_date: Option<NaiveDate>,
    pub members_male: Option<i64>,
    pub members_female: Option<i64>,
    pub managers: Option<i64>,
    pub employees: Option<i64>,
    pub own_capital: Option<i64>,
    pub outside_capital: Option<i64>,
    pub assets: Option<i64>,
    pub business_volume: Option<i64>,
    pub shu: Option<i64>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Everything a report says; the same struct serves create and full replacement after a PATCH.
#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = annual_reports, treat_none_as_null = true)]
pub struct AnnualReportFields {
    pub book_year: i32,
    pub rat_held: bool,
    pub rat_date: Option<NaiveDate>,
    pub reported_date: Option<NaiveDate>,
    pub members_male: Option<i64>,
    pub members_female: Option<i64>,
    pub managers: Option<i64>,
    pub employees: Option<i64>,
    pub own_capital: Option<i64>,
    pub outside_capital: Option<i64>,
    pub assets: Option<i64>,
    pub business_volume: Option<i64>,
    pub shu: Option<i64>,
}

impl From<&AnnualReportRow> for AnnualReportFields {
    fn from(row: &AnnualReportRow) -> Self {
        Self {
            book_year: row.book_year,
            rat_held: row.rat_held,
            rat_date: row.rat_date,
            reported_date: row.reported_date,
            members_male: row.members_male,
            members_female: row.members_female,
            managers: row.managers,
            employees: row.employees,
            own_capital: row.own_capital,
            outside_capital: row.outside_capital,
            assets: row.assets,
            business_volume: row.business_volume,
            shu: row.shu,
        }
    }
}

pub fn insert(
    conn: &mut AnyConnection,
    cooperative_id: CooperativeId,
    fields: &AnnualReportFields,
) -> Result<AnnualReportRow, StoreError> {
    let now = now_utc();
    Ok(diesel::insert_into(annual_reports::table)
        .values((
            annual_reports::cooperative_id.eq(cooperative_id),
            fields,
            annual_reports::version.eq(1),
            annual_reports::created_at.eq(now),
            annual_reports::updated_at.eq(now),
        ))
        .returning(annual_reports::all_columns)
        .get_result::<AnnualReportRow>(conn)?)
}

/// A report by its own id, whatever its cooperative's state.
pub fn find_by_id(
    conn: &mut AnyConnection,
    id: AnnualReportId,
) -> Result<AnnualReportRow, StoreError> {
    Ok(annual_reports::table
        .find(id)
        .select(AnnualReportRow::as_select())
        .first(conn)?)
}

pub fn find(
    conn: &mut AnyConnection,
    cooperative_id: CooperativeId,
    book_year: i32,
) -> Result<AnnualReportRow, StoreError> {
    Ok(annual_reports::table
        .filter(annual_reports::cooperative_id.eq(cooperative_id))
        .filter(annual_reports::book_year.eq(book_year))
        .select(AnnualReportRow::as_select())
        .first(conn)?)
}

/// One page of a cooperative's reports, newest book year first, and their total.
/// A cooperative's reports, newest book year first; with `since`, only those changed since.
pub fn list(
    conn: &mut AnyConnection,
    cooperative_id: CooperativeId,
    since: Option<NaiveDateTime>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AnnualReportRow>, i64), StoreError> {
    let matching = || {
        let mut query = annual_reports::table
            .filter(annual_reports::cooperative_id.eq(cooperative_id))
            .into_boxed();
        if let Some(since) = since {
            query = query.filter(annual_reports::updated_at.ge(since));
        }
        query
    };
    let total = matching().count().get_result::<i64>(conn)?;
    let rows = matching()
        .order(annual_reports::book_year.desc())
        .limit(limit)
        .offset(offset)
        .select(AnnualReportRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// The (book year, RAT held) pairs of every report of a cooperative: the status rule's evidence.
pub fn rat_evidence(
    conn: &mut AnyConnection,
    cooperative_id: CooperativeId,
) -> Result<Vec<(i32, bool)>, StoreError> {
    Ok(annual_reports::table
        .filter(annual_reports::cooperative_id.eq(cooperative_id))
        .select((annual_reports::book_year, annual_reports::rat_held))
        .load(conn)?)
}

crate::versioned_writes!(annual_reports, AnnualReportId, &AnnualReportFields);

/// Deletes the report if it is still at `expected_version`. A report entered by mistake is removed
/// rather than archived so that its book year can be entered again.
pub fn delete(
    conn: &mut AnyConnection,
    id: AnnualReportId,
    expected_version: i64,
) -> Result<(), StoreError> {
    let deleted = diesel::delete(
        annual_reports::table
            .filter(annual_reports::id.eq(id))
            .filter(annual_reports::version.eq(expected_version)),
    )
    .execute(conn)?;
    if deleted == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// (cooperative id, book year, RAT held) of every report: the evidence for recomputing all statuses.
pub fn all_rat_evidence(
    conn: &mut AnyConnection,
) -> Result<Vec<(CooperativeId, i32, bool)>, StoreError> {
    Ok(annual_reports::table
        .select((
            annual_reports::cooperative_id,
            annual_reports::book_year,
            annual_reports::rat_held,
        ))
        .load(conn)?)
}

/// Every report of any of `cooperative_ids`.
pub fn find_by_cooperatives(
    conn: &mut AnyConnection,
    cooperative_ids: &[CooperativeId],
) -> Result<Vec<AnnualReportRow>, StoreError> {
    let mut rows = Vec::new();
    for chunk in cooperative_ids.chunks(500) {
        rows.extend(
            annual_reports::table
                .filter(annual_reports::cooperative_id.eq_any(chunk))
                .order((annual_reports::cooperative_id, annual_reports::book_year))
                .select(AnnualReportRow::as_select())
                .load(conn)?,
        );
    }
    Ok(rows)
}
