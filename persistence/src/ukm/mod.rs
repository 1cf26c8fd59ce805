//! The UKM registry: rows, versioned updates, archiving, yearly figures, thresholds; the list in
//! `list`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use klinik_domain::size_class::{SizeBasis, SizeClass};
use klinik_domain::ukm::{KbliVersion, Sector, UkmStatus};

use crate::ids::{CooperativeId, PersonId, UkmId};
use crate::schema::{size_thresholds, ukm, ukm_yearly_figures};
use crate::ukm_search::{self, Searchable};
use crate::{AnyConnection, EnumText, NullableEnumText, Parsed, ParsedOpt, StoreError, now_utc};

mod list;
pub use list::{ListFilter, SortKey, list, list_all};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = ukm)]
pub struct UkmRow {
    pub id: UkmId,
    pub business_name: String,
    pub owner_id: PersonId,
    pub nib: Option<String>,
    pub kbli_code: Option<String>,
    #[diesel(deserialize_as = ParsedOpt<KbliVersion>)]
    pub kbli_version: Option<KbliVersion>,
    #[diesel(deserialize_as = Parsed<Sector>)]
    pub sector: Sector,
    pub business_capital: Option<i64>,
    pub annual_sales: Option<i64>,
    pub figures_date: Option<NaiveDate>,
    #[diesel(deserialize_as = ParsedOpt<SizeClass>)]
    pub size_class: Option<SizeClass>,
    #[diesel(deserialize_as = ParsedOpt<SizeBasis>)]
    pub size_basis: Option<SizeBasis>,
    pub size_regulation: Option<String>,
    pub workers: Option<i64>,
    pub start_year: Option<i32>,
    pub has_pirt: bool,
    pub has_halal: bool,
    pub has_standard_certificate: bool,
    pub npwp: Option<String>,
    pub street: Option<String>,
    pub kelurahan_code: String,
    pub cooperative_id: Option<CooperativeId>,
    #[diesel(deserialize_as = Parsed<UkmStatus>)]
    pub status: UkmStatus,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub archived_at: Option<NaiveDateTime>,
}

/// Everything a UKM record says; create and full replacement after a merged PATCH.
#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = ukm, treat_none_as_null = true)]
pub struct UkmFields {
    pub business_name: String,
    pub owner_id: PersonId,
    pub nib: Option<String>,
    pub kbli_code: Option<String>,
    #[diesel(serialize_as = NullableEnumText)]
    pub kbli_version: Option<KbliVersion>,
    #[diesel(serialize_as = EnumText)]
    pub sector: Sector,
    pub business_capital: Option<i64>,
    pub annual_sales: Option<i64>,
    pub figures_date: Option<NaiveDate>,
    #[diesel(serialize_as = NullableEnumText)]
    pub size_class: Option<SizeClass>,
    #[diesel(serialize_as = NullableEnumText)]
    pub size_basis: Option<SizeBasis>,
    pub size_regulation: Option<String>,
    pub workers: Option<i64>,
    pub start_year: Option<i32>,
    pub has_pirt: bool,
    pub has_halal: bool,
    pub has_standard_certificate: bool,
    pub npwp: Option<String>,
    pub street: Option<String>,
    pub kelurahan_code: String,
    pub cooperative_id: Option<CooperativeId>,
    #[diesel(serialize_as = EnumText)]
    pub status: UkmStatus,
}

impl From<&UkmRow> for UkmFields {
    fn from(r: &UkmRow) -> Self {
        UkmFields {
            business_name: r.business_name.clone(),
            owner_id: r.owner_id,
            nib: r.nib.clone(),
            kbli_code: r.kbli_code.clone(),
            kbli_version: r.kbli_version,
            sector: r.sector,
            business_capital: r.business_capital,
            annual_sales: r.annual_sales,
            figures_date: r.figures_date,
            size_class: r.size_class,
            size_basis: r.size_basis,
            size_regulation: r.size_regulation.clone(),
            workers: r.workers,
            start_year: r.start_year,
            has_pirt: r.has_pirt,
            has_halal: r.has_halal,
            has_standard_certificate: r.has_standard_certificate,
            npwp: r.npwp.clone(),
            street: r.street.clone(),
            kelurahan_code: r.kelurahan_code.clone(),
            cooperative_id: r.cooperative_id,
            status: r.status,
        }
    }
}

pub fn insert(conn: &mut AnyConnection, fields: UkmFields) -> Result<UkmRow, StoreError> {
    let now = now_utc();
    // RETURNING takes no `as_select` across both backends, and every column would now include
    // the generated kecamatan_code, which the row does not hold: the id, then the row.
    let id = diesel::insert_into(ukm::table)
        .values((
            fields,
            ukm::version.eq(1),
            ukm::created_at.eq(now),
            ukm::updated_at.eq(now),
        ))
        .returning(ukm::id)
        .get_result(conn)?;
    let row = find(conn, id, true)?;
    ukm_search::add(conn, &[searchable(&row)])?;
    Ok(row)
}

fn searchable(row: &UkmRow) -> Searchable<'_> {
    Searchable {
        id: row.id,
        business_name: &row.business_name,
        nib: row.nib.as_deref(),
        archived: row.archived_at.is_some(),
    }
}

/// The statement reading a UKM with its owner, for both drivers: the blocking one here and the
/// async one of `pg_reads`. A macro, because its selection is typed by the backend it runs on.
macro_rules! ukm_with_owner {
    ($id:expr, $include_archived:expr) => {
        $crate::schema::ukm::table
            .inner_join($crate::schema::persons::table)
            .filter($crate::schema::ukm::id.eq($id))
            .filter(
                $crate::schema::ukm::archived_at
                    .is_null()
                    .or(diesel::IntoSql::into_sql::<diesel::sql_types::Bool>(
                        $include_archived,
                    )),
            )
            .select((
                $crate::ukm::UkmRow::as_select(),
                $crate::persons::PersonRow::as_select(),
            ))
    };
}
pub(crate) use ukm_with_owner;

/// A UKM with its owner, in one statement (`GET /ukm/{id}` on SQLite, and on PostgreSQL where
/// `pg_reads` does not serve it).
pub fn find_with_owner(
    conn: &mut AnyConnection,
    id: UkmId,
    include_archived: bool,
) -> Result<(UkmRow, crate::persons::PersonRow), StoreError> {
    // On the backend's own connection: the `AnyConnection` wrapper writes out the SQL of every
    // query to find its prepared statement, a seventh of this request's CPU; the backend's own
    // connection finds a static query's statement by its type. (Built in each arm: the selection
    // is typed by its backend.)
    Ok(crate::per_backend!(conn, |c| ukm_with_owner!(
        id,
        include_archived
    )
    .first(c))?)
}

pub fn find(
    conn: &mut AnyConnection,
    id: UkmId,
    include_archived: bool,
) -> Result<UkmRow, StoreError> {
    let mut query = ukm::table.filter(ukm::id.eq(id)).into_boxed();
    if !include_archived {
        query = query.filter(ukm::archived_at.is_null());
    }
    Ok(query.select(UkmRow::as_select()).first(conn)?)
}

pub fn update(
    conn: &mut AnyConnection,
    id: UkmId,
    expected_version: i64,
    fields: UkmFields,
) -> Result<UkmRow, StoreError> {
    let updated = diesel::update(
        ukm::table
            .filter(ukm::id.eq(id))
            .filter(ukm::version.eq(expected_version)),
    )
    .set((
        fields,
        ukm::version.eq(expected_version + 1),
        ukm::updated_at.eq(now_utc()),
    ))
    .execute(conn)?;
    crate::versioned::one_row(updated)?;
    let row = find(conn, id, true)?;
    ukm_search::replace(conn, searchable(&row))?;
    Ok(row)
}

pub fn archive(
    conn: &mut AnyConnection,
    id: UkmId,
    expected_version: i64,
) -> Result<(), StoreError> {
    let now = now_utc();
    let updated = diesel::update(
        ukm::table
            .filter(ukm::id.eq(id))
            .filter(ukm::version.eq(expected_version)),
    )
    .set((
        ukm::archived_at.eq(Some(now)),
        ukm::updated_at.eq(now),
        ukm::version.eq(expected_version + 1),
    ))
    .execute(conn)?;
    crate::versioned::one_row(updated)?;
    ukm_search::archive(conn, id)
}

/// The size thresholds of every regulation, as stored reference data.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = size_thresholds)]
pub struct ThresholdRow {
    pub regulation: String,
    pub effective_from: NaiveDate,
    pub capital_mikro: i64,
    pub capital_kecil: i64,
    pub capital_menengah: i64,
    pub sales_mikro: i64,
    pub sales_kecil: i64,
    pub sales_menengah: i64,
}

pub fn thresholds(conn: &mut AnyConnection) -> Result<Vec<ThresholdRow>, StoreError> {
    Ok(size_thresholds::table
        .order(size_thresholds::effective_from)
        .select(ThresholdRow::as_select())
        .load(conn)?)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = ukm_yearly_figures)]
pub struct YearlyFiguresRow {
    pub id: i64,
    pub ukm_id: UkmId,
    pub year: i32,
    pub turnover: Option<i64>,
    pub workers: Option<i64>,
    pub assets: Option<i64>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = ukm_yearly_figures, treat_none_as_null = true)]
pub struct YearlyFigures {
    pub year: i32,
    pub turnover: Option<i64>,
    pub workers: Option<i64>,
    pub assets: Option<i64>,
}

pub fn insert_figures(
    conn: &mut AnyConnection,
    ukm_id: UkmId,
    figures: &YearlyFigures,
) -> Result<YearlyFiguresRow, StoreError> {
    let now = now_utc();
    Ok(diesel::insert_into(ukm_yearly_figures::table)
        .values((
            ukm_yearly_figures::ukm_id.eq(ukm_id),
            figures,
            ukm_yearly_figures::version.eq(1),
            ukm_yearly_figures::created_at.eq(now),
            ukm_yearly_figures::updated_at.eq(now),
        ))
        .returning(ukm_yearly_figures::all_columns)
        .get_result(conn)?)
}

pub fn list_figures(
    conn: &mut AnyConnection,
    ukm_id: UkmId,
) -> Result<Vec<YearlyFiguresRow>, StoreError> {
    Ok(ukm_yearly_figures::table
        .filter(ukm_yearly_figures::ukm_id.eq(ukm_id))
        .order(ukm_yearly_figures::year.desc())
        .select(YearlyFiguresRow::as_select())
        .load(conn)?)
}

/// Rows per `IN (…)` list, well under both backends' limits on bound parameters.
const LOOKUP_CHUNK: usize = 500;

/// The UKM (archived too) holding any of `nibs`.
pub fn find_by_nibs(conn: &mut AnyConnection, nibs: &[String]) -> Result<Vec<UkmRow>, StoreError> {
    let mut rows = Vec::new();
    for chunk in nibs.chunks(LOOKUP_CHUNK) {
        rows.extend(
            ukm::table
                .filter(ukm::nib.eq_any(chunk))
                .select(UkmRow::as_select())
                .load(conn)?,
        );
    }
    Ok(rows)
}

/// The UKM (archived too) owned by any of `owner_ids`.
pub fn find_by_owners(
    conn: &mut AnyConnection,
    owner_ids: &[PersonId],
) -> Result<Vec<UkmRow>, StoreError> {
    let mut rows = Vec::new();
    for chunk in owner_ids.chunks(LOOKUP_CHUNK) {
        rows.extend(
            ukm::table
                .filter(ukm::owner_id.eq_any(chunk))
                .select(UkmRow::as_select())
                .load(conn)?,
        );
    }
    Ok(rows)
}

/// Every yearly figure of any of `ukm_ids`.
pub fn figures_of(
    conn: &mut AnyConnection,
    ukm_ids: &[UkmId],
) -> Result<Vec<YearlyFiguresRow>, StoreError> {
    let mut rows = Vec::new();
    for chunk in ukm_ids.chunks(LOOKUP_CHUNK) {
        rows.extend(
            ukm_yearly_figures::table
                .filter(ukm_yearly_figures::ukm_id.eq_any(chunk))
                .order((ukm_yearly_figures::ukm_id, ukm_yearly_figures::year))
                .select(YearlyFiguresRow::as_select())
                .load(conn)?,
        );
    }
    Ok(rows)
}

/// Replaces one year's figures if they are still at `expected_version`.
pub mod figures {
    use diesel::prelude::*;

    use super::YearlyFiguresRow;
    use crate::schema::ukm_yearly_figures;
    use crate::{AnyConnection, StoreError};

    crate::versioned_writes!(ukm_yearly_figures, i64, &super::YearlyFigures);

    pub fn find(conn: &mut AnyConnection, id: i64) -> Result<YearlyFiguresRow, StoreError> {
        Ok(ukm_yearly_figures::table
            .find(id)
            .select(YearlyFiguresRow::as_select())
            .first(conn)?)
    }
}

/// Inserts many UKM with multi-row statements; their ids, in the order given (checked as in
/// [`crate::persons::insert_many`]).
/// Many UKM-years at once (the demo's history): multi-row inserts, without reading them back.
pub fn insert_figures_many(
    conn: &mut AnyConnection,
    rows: &[(UkmId, YearlyFigures)],
) -> Result<(), StoreError> {
    let now = now_utc();
    // 8 columns a row: 1,000 rows stay under both backends' limits on bound values.
    for chunk in rows.chunks(1_000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(id, f)| {
                (
                    ukm_yearly_figures::ukm_id.eq(*id),
                    f.clone(),
                    ukm_yearly_figures::version.eq(1_i64),
                    ukm_yearly_figures::created_at.eq(now),
                    ukm_yearly_figures::updated_at.eq(now),
                )
            })
            .collect();
        crate::per_backend!(conn, |c| {
            diesel::insert_into(ukm_yearly_figures::table)
                .values(values)
                .execute(c)
        })?;
    }
    Ok(())
}

pub fn insert_many(conn: &mut AnyConnection, rows: &[UkmFields]) -> Result<Vec<UkmId>, StoreError> {
    let now = now_utc();
    let mut ids = Vec::with_capacity(rows.len());
    // 25 columns a row: 200 rows stay under both backends' limits on bound values.
    for chunk in rows.chunks(200) {
        let values: Vec<_> = chunk
            .iter()
            .map(|f| {
                (
                    f.clone(),
                    ukm::version.eq(1_i64),
                    ukm::created_at.eq(now),
                    ukm::updated_at.eq(now),
                )
            })
            .collect();
        let inserted: Vec<(UkmId, PersonId, String)> = crate::per_backend!(conn, |c| {
            diesel::insert_into(ukm::table)
                .values(values)
                .returning((ukm::id, ukm::owner_id, ukm::business_name))
                .get_results(c)
        })?;
        if inserted.len() != chunk.len()
            || inserted
                .iter()
                .zip(chunk)
                .any(|((_, owner, name), f)| *owner != f.owner_id || *name != f.business_name)
        {
            return Err(StoreError::Internal(
                "multi-row insert returned rows out of order".into(),
            ));
        }
        let records: Vec<Searchable> = inserted
            .iter()
            .zip(chunk)
            .map(|((id, _, name), f)| Searchable {
                id: *id,
                business_name: name,
                nib: f.nib.as_deref(),
                archived: false,
            })
            .collect();
        ukm_search::add(conn, &records)?;
        ids.extend(inserted.into_iter().map(|(id, _, _)| id));
    }
    Ok(ids)
}

/// The first `limit` UKM (not archived) with `status`, by id: a demo's pick of businesses.
pub fn ids_with_status(
    conn: &mut AnyConnection,
    status: UkmStatus,
    limit: i64,
) -> Result<Vec<UkmId>, StoreError> {
    Ok(ukm::table
        .filter(ukm::archived_at.is_null())
        .filter(ukm::status.eq(status.as_str()))
        .order(ukm::id)
        .limit(limit)
        .select(ukm::id)
        .load(conn)?)
}
