//! The UKM registry: rows, list queries, versioned updates, archiving, yearly figures, thresholds.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::persons::PersonRow;
use crate::schema::{persons, size_thresholds, ukm, ukm_yearly_figures};
use crate::search::lower;
use crate::{AnyConnection, COUNT_CAP, StoreError, Total, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = ukm)]
pub struct UkmRow {
    pub id: i64,
    pub business_name: String,
    pub owner_id: i64,
    pub nib: Option<String>,
    pub kbli_code: Option<String>,
    pub kbli_version: Option<String>,
    pub sector: String,
    pub business_capital: Option<i64>,
    pub annual_sales: Option<i64>,
    pub figures_date: Option<NaiveDate>,
    pub size_class: Option<String>,
    pub size_basis: Option<String>,
    pub size_regulation: Option<String>,
    pub workers: Option<i64>,
    pub start_year: Option<i32>,
    pub has_pirt: bool,
    pub has_halal: bool,
    pub has_standard_certificate: bool,
    pub npwp: Option<String>,
    pub street: Option<String>,
    pub kelurahan_code: String,
    pub cooperative_id: Option<i64>,
    pub status: String,
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
    pub owner_id: i64,
    pub nib: Option<String>,
    pub kbli_code: Option<String>,
    pub kbli_version: Option<String>,
    pub sector: String,
    pub business_capital: Option<i64>,
    pub annual_sales: Option<i64>,
    pub figures_date: Option<NaiveDate>,
    pub size_class: Option<String>,
    pub size_basis: Option<String>,
    pub size_regulation: Option<String>,
    pub workers: Option<i64>,
    pub start_year: Option<i32>,
    pub has_pirt: bool,
    pub has_halal: bool,
    pub has_standard_certificate: bool,
    pub npwp: Option<String>,
    pub street: Option<String>,
    pub kelurahan_code: String,
    pub cooperative_id: Option<i64>,
    pub status: String,
}

impl From<&UkmRow> for UkmFields {
    fn from(r: &UkmRow) -> Self {
        UkmFields {
            business_name: r.business_name.clone(),
            owner_id: r.owner_id,
            nib: r.nib.clone(),
            kbli_code: r.kbli_code.clone(),
            kbli_version: r.kbli_version.clone(),
            sector: r.sector.clone(),
            business_capital: r.business_capital,
            annual_sales: r.annual_sales,
            figures_date: r.figures_date,
            size_class: r.size_class.clone(),
            size_basis: r.size_basis.clone(),
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
            status: r.status.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    BusinessName,
    CreatedAt,
    UpdatedAt,
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub kecamatan_code: Option<String>,
    pub kelurahan_code: Option<String>,
    pub sector: Option<String>,
    pub size_class: Option<String>,
    pub status: Option<String>,
    pub has_nib: Option<bool>,
    pub kbli_code: Option<String>,
    pub cooperative_id: Option<i64>,
    /// Case-insensitive substring of the business name, or an exact NIB.
    pub q: Option<String>,
    /// Keyed hash of an owner's NIK (exact match).
    pub nik_hash: Option<String>,
    pub include_archived: bool,
    pub sort: SortKey,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

pub fn insert(conn: &mut AnyConnection, fields: &UkmFields) -> Result<UkmRow, StoreError> {
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
    find(conn, id, true)
}

/// A UKM with its owner, in one statement (the hot path of `GET /ukm/{id}`).
pub fn find_with_owner(
    conn: &mut AnyConnection,
    id: i64,
    include_archived: bool,
) -> Result<(UkmRow, crate::persons::PersonRow), StoreError> {
    use diesel::IntoSql;
    use diesel::sql_types::Bool;
    // On the backend's own connection: the `AnyConnection` wrapper writes out the SQL of every
    // query to find its prepared statement, a seventh of this request's CPU; the backend's own
    // connection finds a static query's statement by its type. (Built in each arm: the selection
    // is typed by its backend.)
    Ok(crate::per_backend!(conn, |c| ukm::table
        .inner_join(persons::table)
        .filter(ukm::id.eq(id))
        .filter(
            ukm::archived_at
                .is_null()
                .or(include_archived.into_sql::<Bool>()),
        )
        .select((UkmRow::as_select(), PersonRow::as_select()))
        .first(c))?)
}

pub fn find(
    conn: &mut AnyConnection,
    id: i64,
    include_archived: bool,
) -> Result<UkmRow, StoreError> {
    let mut query = ukm::table.filter(ukm::id.eq(id)).into_boxed();
    if !include_archived {
        query = query.filter(ukm::archived_at.is_null());
    }
    Ok(query.select(UkmRow::as_select()).first(conn)?)
}

type Backend = <AnyConnection as diesel::Connection>::Backend;

fn filtered(filter: &ListFilter) -> ukm::BoxedQuery<'static, Backend> {
    let mut query = ukm::table.into_boxed();
    if !filter.include_archived {
        query = query.filter(ukm::archived_at.is_null());
    }
    if let Some(v) = &filter.kecamatan_code {
        query = query.filter(ukm::kecamatan_code.eq(v.clone()));
    }
    if let Some(v) = &filter.kelurahan_code {
        query = query.filter(ukm::kelurahan_code.eq(v.clone()));
    }
    if let Some(v) = &filter.sector {
        query = query.filter(ukm::sector.eq(v.clone()));
    }
    if let Some(v) = &filter.size_class {
        query = query.filter(ukm::size_class.eq(v.clone()));
    }
    if let Some(v) = &filter.status {
        query = query.filter(ukm::status.eq(v.clone()));
    }
    match filter.has_nib {
        Some(true) => query = query.filter(ukm::nib.is_not_null()),
        Some(false) => query = query.filter(ukm::nib.is_null()),
        None => {}
    }
    if let Some(v) = &filter.kbli_code {
        query = query.filter(ukm::kbli_code.eq(v.clone()));
    }
    if let Some(v) = filter.cooperative_id {
        query = query.filter(ukm::cooperative_id.eq(v));
    }
    if let Some(term) = &filter.q {
        let pattern = crate::like_pattern(term);
        query = query.filter(
            lower(ukm::business_name)
                .like(pattern)
                .escape('\\')
                .or(ukm::nib.eq(crate::bindable(term))),
        );
    }
    if let Some(hash) = &filter.nik_hash {
        let owners = persons::table
            .filter(persons::nik_hash.eq(hash.clone()))
            .select(persons::id);
        query = query.filter(ukm::owner_id.eq_any(owners));
    }
    query
}

/// Orders a UKM query by the filter's sort key, the id breaking ties.
macro_rules! sorted {
    ($query:expr, $filter:expr) => {{
        use ukm::{business_name, created_at, id, updated_at};
        match ($filter.sort, $filter.descending) {
            (SortKey::BusinessName, false) => $query.order((business_name.asc(), id.asc())),
            (SortKey::BusinessName, true) => $query.order((business_name.desc(), id.desc())),
            (SortKey::CreatedAt, false) => $query.order((created_at.asc(), id.asc())),
            (SortKey::CreatedAt, true) => $query.order((created_at.desc(), id.desc())),
            (SortKey::UpdatedAt, false) => $query.order((updated_at.asc(), id.asc())),
            (SortKey::UpdatedAt, true) => $query.order((updated_at.desc(), id.desc())),
        }
    }};
}

/// One page of UKM with their owners, and the total. No transaction: on PostgreSQL each statement
/// reads its own snapshot anyway, and BEGIN and COMMIT would be two more round trips.
pub fn list(
    conn: &mut AnyConnection,
    filter: &ListFilter,
) -> Result<(Vec<(UkmRow, PersonRow)>, Total), StoreError> {
    let rows = if filter.q.is_none() {
        // The owners joined in: one round trip. The planner knows how many rows these filters
        // match, so it joins only the page's rows.
        sorted!(filtered(filter).inner_join(persons::table), filter)
            .select((UkmRow::as_select(), PersonRow::as_select()))
            .limit(filter.limit)
            .offset(filter.offset)
            .load(conn)?
    } else {
        // A name search's matches are guessed badly (2,855 taken for 69), and a joined plan then
        // fetches the owner of every match before sorting: the page first, then its owners.
        let page: Vec<UkmRow> = search_sorted(filtered(filter), filter)
            .select(UkmRow::as_select())
            .limit(filter.limit)
            .offset(filter.offset)
            .load(conn)?;
        let ids: Vec<i64> = page.iter().map(|r| r.owner_id).collect();
        let owners: std::collections::HashMap<i64, PersonRow> =
            crate::persons::find_many(conn, &ids)?
                .into_iter()
                .map(|p| (p.id, p))
                .collect();
        let mut rows = Vec::with_capacity(page.len());
        for row in page {
            // A foreign key keeps every owner; its absence is the database's fault, not a panic.
            let owner = owners
                .get(&row.owner_id)
                .cloned()
                .ok_or_else(|| StoreError::Internal(format!("UKM {} has no owner row", row.id)))?;
            rows.push((row, owner));
        }
        rows
    };
    // A first page that is not full holds every match: no count needed.
    let total = if filter.offset == 0 && (rows.len() as i64) < filter.limit {
        Total::from_capped(rows.len())
    } else {
        capped_count(conn, filter)?
    };
    Ok((rows, total))
}

/// Orders a name search. A term of three characters or more is answered from the trigram index:
/// the matches are fetched and sorted. When the planner guesses many matches it walks the name
/// index in order instead, testing each row — 640,000 rows read for 20 when "soto kuning budi"
/// was guessed at 6,859 matches and had 2,855 (1.3 s). Ordering by an expression the name index
/// cannot give rules that walk out. Shorter terms are common, and the walk suits them.
fn search_sorted(
    query: ukm::BoxedQuery<'static, Backend>,
    filter: &ListFilter,
) -> ukm::BoxedQuery<'static, Backend> {
    let rare_term = filter.q.as_ref().is_some_and(|q| q.chars().count() >= 3);
    let not_from_the_index =
        || diesel::dsl::sql::<diesel::sql_types::Text>("ukm.business_name || ''");
    match (filter.sort, filter.descending) {
        (SortKey::BusinessName, false) if rare_term => {
            query.order((not_from_the_index().asc(), ukm::id.asc()))
        }
        (SortKey::BusinessName, true) if rare_term => {
            query.order((not_from_the_index().desc(), ukm::id.desc()))
        }
        _ => sorted!(query, filter),
    }
}

/// How many UKM match, counted up to [`COUNT_CAP`].
///
/// Filters an index serves: whether a match lies beyond the cap (one row back from an index-only
/// scan), and only if none does, the exact count — 15% more list requests a second than loading
/// the 1,001 ids. A name search scans its matches whatever it asks, so it asks once: up to 1,001
/// ids (asking twice read the table three times per page when a search matched a few hundred).
fn capped_count(conn: &mut AnyConnection, filter: &ListFilter) -> Result<Total, StoreError> {
    if filter.q.is_some() {
        let found = filtered(filter)
            .select(ukm::id)
            .limit(COUNT_CAP + 1)
            .load::<i64>(conn)?
            .len();
        return Ok(Total::from_capped(found));
    }
    let beyond_cap = filtered(filter)
        .select(ukm::id)
        .offset(COUNT_CAP)
        .limit(1)
        .load::<i64>(conn)?;
    if !beyond_cap.is_empty() {
        return Ok(Total::from_capped(COUNT_CAP as usize + 1));
    }
    let count: i64 = filtered(filter).count().get_result(conn)?;
    Ok(Total::from_capped(count as usize))
}

pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: i64,
    fields: &UkmFields,
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
    if updated == 0 {
        return Err(StoreError::Stale);
    }
    find(conn, id, true)
}

pub fn archive(conn: &mut AnyConnection, id: i64, expected_version: i64) -> Result<(), StoreError> {
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
    if updated == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
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
    pub ukm_id: i64,
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
    ukm_id: i64,
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
    ukm_id: i64,
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
    owner_ids: &[i64],
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

/// Every UKM matching `filter` (paging ignored), in its sort order, up to `limit` rows.
pub fn list_all(
    conn: &mut AnyConnection,
    filter: &ListFilter,
    limit: i64,
) -> Result<Vec<UkmRow>, StoreError> {
    Ok(filtered(filter)
        .order(ukm::id.asc())
        .select(UkmRow::as_select())
        .limit(limit)
        .load(conn)?)
}

/// Every yearly figure of any of `ukm_ids`.
pub fn figures_of(
    conn: &mut AnyConnection,
    ukm_ids: &[i64],
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
pub fn update_figures(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: i64,
    figures: &YearlyFigures,
) -> Result<(), StoreError> {
    let updated = diesel::update(
        ukm_yearly_figures::table
            .filter(ukm_yearly_figures::id.eq(id))
            .filter(ukm_yearly_figures::version.eq(expected_version)),
    )
    .set((
        figures,
        ukm_yearly_figures::version.eq(expected_version + 1),
        ukm_yearly_figures::updated_at.eq(now_utc()),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Inserts many UKM with multi-row statements; their ids, in the order given (checked as in
/// [`crate::persons::insert_many`]).
pub fn insert_many(conn: &mut AnyConnection, rows: &[UkmFields]) -> Result<Vec<i64>, StoreError> {
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
        let inserted: Vec<(i64, i64, String)> = crate::per_backend!(conn, |c| {
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
        ids.extend(inserted.into_iter().map(|(id, _, _)| id));
    }
    Ok(ids)
}

/// The first `limit` UKM (not archived) with `status`, by id: a demo's pick of businesses.
pub fn ids_with_status(
    conn: &mut AnyConnection,
    status: &str,
    limit: i64,
) -> Result<Vec<i64>, StoreError> {
    Ok(ukm::table
        .filter(ukm::archived_at.is_null())
        .filter(ukm::status.eq(status.to_owned()))
        .order(ukm::id)
        .limit(limit)
        .select(ukm::id)
        .load(conn)?)
}
