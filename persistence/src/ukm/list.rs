//! The UKM list: filters, sort orders, the search, and the capped count.

use diesel::prelude::*;
use klinik_domain::name_search::{normalise, prefix_range};
use klinik_domain::size_class::SizeClass;
use klinik_domain::ukm::{Sector, UkmStatus};

use super::UkmRow;
use crate::ids::CooperativeId;
use crate::persons::PersonRow;
use crate::schema::{persons, ukm, ukm_name_words};
use crate::ukm_search::{self, KeyRange};
use crate::{AnyConnection, COUNT_CAP, StoreError, Total};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    BusinessName,
    CreatedAt,
    UpdatedAt,
    /// A search's order of completions: by the search key matched (the name from the matched
    /// word on), then the name, then the id. Without a search, the name's order.
    Match,
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only records changed at or after this time (a sync's catch-up).
    pub updated_since: Option<chrono::NaiveDateTime>,
    pub kabupaten_kota_code: Option<String>,
    pub kecamatan_code: Option<String>,
    pub kelurahan_code: Option<String>,
    pub sector: Option<Sector>,
    /// Only UKM created during this year (UTC).
    pub registered_year: Option<i32>,
    pub size_class: Option<SizeClass>,
    pub status: Option<UkmStatus>,
    pub has_nib: Option<bool>,
    pub kbli_code: Option<String>,
    pub cooperative_id: Option<CooperativeId>,
    /// The start of a word of the business name, running on over the next words if it holds
    /// more, or of the NIB (klinik_domain::name_search).
    pub q: Option<String>,
    /// Keyed hashes of an owner's NIK (exact match), one per data key in force.
    pub nik_hashes: Option<Vec<String>>,
    pub include_archived: bool,
    pub sort: SortKey,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
    /// The total as counted a moment ago for the same filters: the capped count is not run again.
    pub known_total: Option<Total>,
}

/// The search keys' range for a term; one that holds nothing but white space matches nothing.
fn key_range(term: &str) -> KeyRange {
    match prefix_range(&crate::bindable(term)) {
        Some((low, high)) => KeyRange { low, high },
        None => KeyRange {
            low: String::new(),
            high: String::new(),
        },
    }
}

type Backend = <AnyConnection as diesel::Connection>::Backend;

/// Applies every filter but the search term to a boxed query over `ukm` (alone or joined).
macro_rules! registry_filters {
    ($query:expr, $filter:expr) => {{
        let (mut query, filter) = ($query, $filter);
        if !filter.include_archived {
            query = query.filter(ukm::archived_at.is_null());
        }
        if let Some(since) = filter.updated_since {
            query = query.filter(ukm::updated_at.ge(since));
        }
        if let Some(v) = &filter.kabupaten_kota_code {
            query = query.filter(ukm::kabupaten_kota_code.eq(v.clone()));
        }
        if let Some(v) = &filter.kecamatan_code {
            query = query.filter(ukm::kecamatan_code.eq(v.clone()));
        }
        if let Some(v) = &filter.kelurahan_code {
            query = query.filter(ukm::kelurahan_code.eq(v.clone()));
        }
        if let Some(v) = filter.sector {
            query = query.filter(ukm::sector.eq(v.as_str()));
        }
        if let Some(year) = filter.registered_year {
            // A year past the calendar's range matches nothing.
            let start =
                crate::economy_registry::year_start(year).unwrap_or(chrono::NaiveDateTime::MAX);
            let end =
                crate::economy_registry::year_start(year + 1).unwrap_or(chrono::NaiveDateTime::MAX);
            query = query
                .filter(ukm::created_at.ge(start))
                .filter(ukm::created_at.lt(end));
        }
        if let Some(v) = filter.size_class {
            query = query.filter(ukm::size_class.eq(v.as_str()));
        }
        if let Some(v) = filter.status {
            query = query.filter(ukm::status.eq(v.as_str()));
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
        if let Some(hashes) = &filter.nik_hashes {
            let owners = persons::table
                .filter(persons::nik_hash.eq_any(hashes.clone()))
                .select(persons::id);
            query = query.filter(ukm::owner_id.eq_any(owners));
        }
        query
    }};
}

fn filtered(filter: &ListFilter) -> ukm::BoxedQuery<'static, Backend> {
    let query = registry_filters!(ukm::table.into_boxed(), filter);
    let Some(term) = &filter.q else {
        return query;
    };
    let range = key_range(term);
    if filter.include_archived {
        query.filter(ukm::id.eq_any(ukm_search::all_ids_in!(range)))
    } else {
        query.filter(ukm::id.eq_any(ukm_search::live_ids_in!(range)))
    }
}

/// Whether a list filters by nothing but a search term (the search box), over UKM not archived.
fn only_the_term(filter: &ListFilter) -> bool {
    matches!(
        filter,
        ListFilter {
            kabupaten_kota_code: None,
            kecamatan_code: None,
            kelurahan_code: None,
            sector: None,
            registered_year: None,
            size_class: None,
            status: None,
            has_nib: None,
            kbli_code: None,
            cooperative_id: None,
            q: Some(_),
            nik_hashes: None,
            include_archived: false,
            ..
        }
    )
}

/// Orders a UKM query by the filter's sort key, the id breaking ties.
macro_rules! sorted {
    ($query:expr, $filter:expr) => {{
        use ukm::{business_name, created_at, id, updated_at};
        match ($filter.sort, $filter.descending) {
            (SortKey::BusinessName | SortKey::Match, false) => {
                $query.order((business_name.asc(), id.asc()))
            }
            (SortKey::BusinessName | SortKey::Match, true) => {
                $query.order((business_name.desc(), id.desc()))
            }
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
    if let Some(term) = &filter.q {
        let range = key_range(term);
        if filter.sort == SortKey::Match {
            return list_in_match_order(conn, filter, &range);
        }
        if filter.sort == SortKey::BusinessName
            && only_the_term(filter)
            && normalise(term).chars().count() >= 3
        {
            return list_by_name_from_keys(conn, filter, &range);
        }
    }
    let rows = if filter.q.is_none() {
        // The owners joined in: one round trip. The planner knows how many rows these filters
        // match, so it joins only the page's rows.
        sorted!(filtered(filter).inner_join(persons::table), filter)
            .select((UkmRow::as_select(), PersonRow::as_select()))
            .limit(filter.limit)
            .offset(filter.offset)
            .load(conn)?
    } else {
        // A search's matches are guessed badly, and a joined plan may then fetch the owner of
        // every match before sorting: the page's ids first, then its rows with their owners.
        let ids: Vec<i64> = search_sorted(filtered(filter), filter)
            .select(ukm::id)
            .limit(filter.limit)
            .offset(filter.offset)
            .load(conn)?;
        rows_in_order(conn, &ids)?
    };
    let total = page_total(filter, rows.len(), || capped_count(conn, filter))?;
    Ok((rows, total))
}

/// A search in its own order, from the search keys' index: the first `offset + limit` keys of the
/// term's range, read in order. With other filters, each key's UKM is tested as it comes.
fn list_in_match_order(
    conn: &mut AnyConnection,
    filter: &ListFilter,
    range: &KeyRange,
) -> Result<(Vec<(UkmRow, PersonRow)>, Total), StoreError> {
    use ukm_name_words::{business_name, ukm_id, word};
    let alone = only_the_term(filter);
    let ids = ukm_search::first_ids(conn, filter.offset, filter.limit, |conn, keys| {
        let in_range = ukm_name_words::table
            .filter(word.ge(range.low.clone()))
            .filter(word.lt(range.high.clone()));
        Ok(if alone {
            in_range
                .filter(diesel::dsl::not(ukm_name_words::archived))
                .order((word, business_name, ukm_id))
                .select(ukm_id)
                .limit(keys)
                .load(conn)?
        } else {
            registry_filters!(in_range.inner_join(ukm::table).into_boxed(), filter)
                .order((word, business_name, ukm_id))
                .select(ukm_id)
                .limit(keys)
                .load(conn)?
        })
    })?;
    let total = page_total(filter, ids.len(), || {
        if alone {
            ukm_search::live_count(conn, range)
        } else {
            capped_count(conn, filter)
        }
    })?;
    Ok((rows_in_order(conn, &ids)?, total))
}

/// A search of a term alone in name order (`sort=business_name`), from the search keys' index:
/// the least `offset + limit` keys of the range by name, a top-N sort of every key in it. A term
/// of fewer than three characters begins a large share of all keys; its name order walks the
/// names instead (and tests each).
fn list_by_name_from_keys(
    conn: &mut AnyConnection,
    filter: &ListFilter,
    range: &KeyRange,
) -> Result<(Vec<(UkmRow, PersonRow)>, Total), StoreError> {
    use ukm_name_words::{business_name, ukm_id, word};
    let ids = ukm_search::first_ids(conn, filter.offset, filter.limit, |conn, keys| {
        let in_range = ukm_name_words::table
            .filter(word.ge(range.low.clone()))
            .filter(word.lt(range.high.clone()))
            .filter(diesel::dsl::not(ukm_name_words::archived))
            .select(ukm_id)
            .limit(keys);
        Ok(if filter.descending {
            in_range
                .order((business_name.desc(), ukm_id.desc()))
                .load(conn)?
        } else {
            in_range
                .order((business_name.asc(), ukm_id.asc()))
                .load(conn)?
        })
    })?;
    let total = page_total(filter, ids.len(), || ukm_search::live_count(conn, range))?;
    Ok((rows_in_order(conn, &ids)?, total))
}

/// The total of a list whose page holds `found` rows: a first page that is not full holds every
/// match, so only a full or later page needs `count`.
fn page_total(
    filter: &ListFilter,
    found: usize,
    count: impl FnOnce() -> Result<Total, StoreError>,
) -> Result<Total, StoreError> {
    if filter.offset == 0 && (found as i64) < filter.limit {
        Ok(Total::from_capped(found))
    } else if let Some(total) = filter.known_total {
        Ok(total)
    } else {
        count()
    }
}

/// The UKM of `ids` with their owners, in the order of `ids`.
fn rows_in_order(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<Vec<(UkmRow, PersonRow)>, StoreError> {
    let mut rows = ukm::table
        .inner_join(persons::table)
        .filter(ukm::id.eq_any(ids))
        .select((UkmRow::as_select(), PersonRow::as_select()))
        .load::<(UkmRow, PersonRow)>(conn)?;
    rows.sort_by_key(|(row, _)| ids.iter().position(|id| *id == row.id.get()));
    Ok(rows)
}

/// Orders a search that also filters by other fields. A term of three characters or more is
/// matched first and its matches sorted: when the planner guessed many matches it walked the
/// name index in order instead, testing each row (640,000 rows read for a page of a name matched
/// 2,855 times, 1.3 s). Ordering by an expression the name index cannot give rules that walk out.
/// Shorter terms are common, and the walk suits them.
fn search_sorted(
    query: ukm::BoxedQuery<'static, Backend>,
    filter: &ListFilter,
) -> ukm::BoxedQuery<'static, Backend> {
    let rare_term = filter
        .q
        .as_ref()
        .is_some_and(|q| normalise(q).chars().count() >= 3);
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
