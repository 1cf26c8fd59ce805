//! The UKM search keys (`ukm_name_words`): every name's tails that begin at a word, and the NIB
//! (klinik_domain::name_search), kept with each write of a UKM, and the searches that read them.

use diesel::prelude::*;
use klinik_domain::name_search::search_keys;

use crate::ids::UkmId;
use crate::schema::{pending_backfills, ukm, ukm_name_words};
use crate::{AnyConnection, COUNT_CAP, StoreError, Total};

/// What the keys of one UKM are cut from.
#[derive(Debug, Clone, Copy)]
pub struct Searchable<'a> {
    pub id: UkmId,
    pub business_name: &'a str,
    pub nib: Option<&'a str>,
    pub archived: bool,
}

#[derive(Insertable)]
#[diesel(table_name = ukm_name_words)]
struct KeyRow<'a> {
    ukm_id: UkmId,
    word: String,
    business_name: &'a str,
    archived: bool,
}

/// Rows per multi-row insert: 4 values each, well under both backends' limits on bound values.
const INSERT_CHUNK: usize = 1_000;

/// Writes the keys of UKM that have none yet (just inserted).
pub fn add(conn: &mut AnyConnection, records: &[Searchable]) -> Result<(), StoreError> {
    let rows: Vec<KeyRow> = records
        .iter()
        .flat_map(|r| {
            search_keys(r.business_name, r.nib)
                .into_iter()
                .map(|word| KeyRow {
                    ukm_id: r.id,
                    word,
                    business_name: r.business_name,
                    archived: r.archived,
                })
        })
        .collect();
    for chunk in rows.chunks(INSERT_CHUNK) {
        crate::per_backend!(conn, |c| diesel::insert_into(ukm_name_words::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// Replaces the keys of one UKM after its name, NIB or archiving changed.
pub fn replace(conn: &mut AnyConnection, record: Searchable) -> Result<(), StoreError> {
    diesel::delete(ukm_name_words::table.filter(ukm_name_words::ukm_id.eq(record.id)))
        .execute(conn)?;
    add(conn, &[record])
}

/// Marks the keys of an archived UKM, which searches of the registry's live UKM then pass over.
pub fn archive(conn: &mut AnyConnection, id: UkmId) -> Result<(), StoreError> {
    diesel::update(ukm_name_words::table.filter(ukm_name_words::ukm_id.eq(id)))
        .set(ukm_name_words::archived.eq(true))
        .execute(conn)?;
    Ok(())
}

/// The name of the backfill a migration leaves for these keys.
const BACKFILL: &str = "ukm_name_words";

/// UKM read per batch of a backfill.
const BACKFILL_BATCH: i64 = 5_000;

/// Cuts the keys of every UKM registered before the keys existed, once, in one transaction that
/// also removes the migration's request for it (so a crash leaves the request, and two instances
/// starting together do it once: the second waits on the first's delete, then finds no request).
/// UKM writes wait meanwhile.
/// Returns how many UKM were keyed, `None` when nothing was pending.
pub fn backfill_if_pending(conn: &mut AnyConnection) -> Result<Option<usize>, StoreError> {
    crate::write_transaction(conn, |conn| {
        let claimed = diesel::delete(pending_backfills::table.find(BACKFILL)).execute(conn)?;
        if claimed == 0 {
            return Ok(None);
        }
        // Another instance already on this version may be registering or renaming a UKM: wait
        // for those writes and hold the next ones (about a minute for 1,000,000 UKM, once), so
        // that the keys are cut from a registry that does not move. SQLite's write transaction
        // holds every writer already.
        if let AnyConnection::Pg(pg) = conn {
            diesel::sql_query("LOCK TABLE ukm IN SHARE MODE").execute(pg)?;
        }
        diesel::delete(ukm_name_words::table).execute(conn)?;
        let (mut after, mut keyed) = (0_i64, 0_usize);
        loop {
            let batch: Vec<(i64, String, Option<String>, bool)> = ukm::table
                .filter(ukm::id.gt(after))
                .order(ukm::id)
                .limit(BACKFILL_BATCH)
                .select((
                    ukm::id,
                    ukm::business_name,
                    ukm::nib,
                    ukm::archived_at.is_not_null(),
                ))
                .load(conn)?;
            let Some(last) = batch.last() else {
                return Ok(Some(keyed));
            };
            after = last.0;
            let records: Vec<Searchable> = batch
                .iter()
                .map(|(id, name, nib, archived)| Searchable {
                    id: UkmId(*id),
                    business_name: name,
                    nib: nib.as_deref(),
                    archived: *archived,
                })
                .collect();
            add(conn, &records)?;
            keyed += records.len();
        }
    })
}

/// The keys of UKM not archived that begin with a term: `[low, high)` from
/// `klinik_domain::name_search::prefix_range`.
#[derive(Debug, Clone)]
pub struct KeyRange {
    pub low: String,
    pub high: String,
}

/// The ids of UKM not archived with a key in `range` (repeated when two keys of one name match),
/// a subquery for lists.
macro_rules! live_ids_in {
    ($range:expr) => {
        crate::schema::ukm_name_words::table
            .filter(crate::schema::ukm_name_words::word.ge($range.low.clone()))
            .filter(crate::schema::ukm_name_words::word.lt($range.high.clone()))
            .filter(diesel::dsl::not(crate::schema::ukm_name_words::archived))
            .select(crate::schema::ukm_name_words::ukm_id)
    };
}
pub(crate) use live_ids_in;

/// The ids of any UKM, archived too, with a key in `range`: a subquery for lists.
macro_rules! all_ids_in {
    ($range:expr) => {
        crate::schema::ukm_name_words::table
            .filter(crate::schema::ukm_name_words::word.ge($range.low.clone()))
            .filter(crate::schema::ukm_name_words::word.lt($range.high.clone()))
            .select(crate::schema::ukm_name_words::ukm_id)
    };
}
pub(crate) use all_ids_in;

#[derive(QueryableByName)]
struct KeyCount {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    keys: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    ukm: i64,
}

/// How many UKM not archived match, up to [`COUNT_CAP`]: the first 1,001 keys of the range, from
/// the index alone, counted in the database (loading them cost the app a fifth of a search's
/// CPU) and told apart by UKM (a name can match at two words).
pub fn live_count(conn: &mut AnyConnection, range: &KeyRange) -> Result<Total, StoreError> {
    use diesel::sql_types::{BigInt, Text};
    let counted: KeyCount = diesel::sql_query(
        "SELECT count(*) AS keys, count(DISTINCT ukm_id) AS ukm FROM (SELECT ukm_id \
         FROM ukm_name_words WHERE word >= $1 AND word < $2 AND NOT archived LIMIT $3) AS first",
    )
    .bind::<Text, _>(&range.low)
    .bind::<Text, _>(&range.high)
    .bind::<BigInt, _>(COUNT_CAP + 1)
    .get_result(conn)?;
    if counted.keys <= COUNT_CAP || counted.ukm > COUNT_CAP {
        return Ok(Total::from_capped(counted.ukm as usize));
    }
    // More than 1,000 keys but fewer UKM: count the UKM themselves (rare: names repeating a word).
    let ids: Vec<i64> = live_ids_in!(range)
        .distinct()
        .limit(COUNT_CAP + 1)
        .load(conn)?;
    Ok(Total::from_capped(ids.len()))
}

/// The ids of one page of a search, told apart: `fetch(conn, n)` reads the first `n` matching
/// keys in the page's order, and a UKM stands where its first key does (a name can match at two
/// words). The page is the keys' first `offset + limit` UKM; when repeats took some of those
/// keys, it asks for twice as many, until enough or the keys run out.
pub fn first_ids(
    conn: &mut AnyConnection,
    offset: i64,
    limit: i64,
    mut fetch: impl FnMut(&mut AnyConnection, i64) -> Result<Vec<i64>, StoreError>,
) -> Result<Vec<i64>, StoreError> {
    let wanted = offset.saturating_add(limit);
    let mut asked = wanted;
    loop {
        let keys = fetch(conn, asked)?;
        let mut seen = std::collections::HashSet::with_capacity(keys.len());
        let ids: Vec<i64> = keys.iter().copied().filter(|id| seen.insert(*id)).collect();
        if ids.len() as i64 >= wanted || (keys.len() as i64) < asked {
            return Ok(ids
                .into_iter()
                .skip(offset as usize)
                .take(limit as usize)
                .collect());
        }
        asked = asked.saturating_mul(2);
    }
}
