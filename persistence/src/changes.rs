//! The change feed's outbox: an entry is written in the transaction of the change it describes,
//! given its position in the feed only after it has committed, and read in position order (the
//! `change_feed` migration explains why positions come after commit).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};

use crate::schema::{change_feed, changes};
use crate::{AnyConnection, StoreError, now_utc};

/// One entry of the feed, once sequenced.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = changes)]
pub struct ChangeRow {
    pub id: i64,
    pub position: Option<i64>,
    pub occurred_at: NaiveDateTime,
    pub kind: String,
    pub record_id: i64,
    pub action: String,
    pub version: Option<i64>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = changes, treat_none_as_null = true)]
struct NewChange<'a> {
    occurred_at: NaiveDateTime,
    kind: &'a str,
    record_id: i64,
    action: &'a str,
    version: Option<i64>,
}

/// Where the feed finds the version of a kind's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Followed {
    /// In this table's `version` column.
    Versioned(&'static str),
    /// Nowhere: its records never change once written (an evaluation), always version 1.
    Immutable,
}

/// The kinds of record the feed follows, by their audit trail names; `None` for the rest (users,
/// clients, partners, experts, sessions, imports), whose changes only the audit trail keeps.
fn followed(kind: &str) -> Option<Followed> {
    Some(Followed::Versioned(match kind {
        "cooperative" => "cooperatives",
        "annual_report" => "annual_reports",
        "ukm" => "ukm",
        "ukm_yearly_figures" => "ukm_yearly_figures",
        "programme" => "programmes",
        "case" => "cases",
        "diagnosis" => "diagnoses",
        "recommendation" => "recommendations",
        "activity" => "mentoring_activities",
        "dissolution_proposal" => "dissolution_proposals",
        "reminder" => "reminders",
        "evaluation" => return Some(Followed::Immutable),
        _ => return None,
    }))
}

/// Whether the feed follows records of `kind`.
pub fn follows(kind: &str) -> bool {
    followed(kind).is_some()
}

#[derive(QueryableByName)]
struct Versioned {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    version: Option<i64>,
}

/// The versions of `ids` as they are now in this transaction (absent: the record is gone).
fn versions(
    conn: &mut AnyConnection,
    kind: &str,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, i64>, StoreError> {
    let table = match followed(kind) {
        Some(Followed::Versioned(table)) => table,
        Some(Followed::Immutable) | None => return Ok(ids.iter().map(|id| (*id, 1)).collect()),
    };
    let mut found = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        // Ids are integers and the table a name from the list above: nothing here is user text.
        let list = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!("SELECT id, version FROM {table} WHERE id IN ({list})");
        let rows: Vec<Versioned> = diesel::sql_query(sql).load(conn)?;
        found.extend(rows.into_iter().filter_map(|r| Some((r.id, r.version?))));
    }
    Ok(found)
}

/// Writes the entries for `action` on the records `ids` of `kind`, each with the version the
/// change left (none when the change removed the record), in the caller's transaction. Nothing
/// for a kind the feed does not follow.
pub fn record(
    conn: &mut AnyConnection,
    kind: &str,
    action: &str,
    ids: &[i64],
) -> Result<(), StoreError> {
    if ids.is_empty() || !follows(kind) {
        return Ok(());
    }
    let versions = versions(conn, kind, ids)?;
    let now = now_utc();
    let rows: Vec<NewChange> = ids
        .iter()
        .map(|id| NewChange {
            occurred_at: now,
            kind,
            record_id: *id,
            action,
            version: versions.get(id).copied(),
        })
        .collect();
    // 5 columns a row: 1,000 rows stay under both backends' limits on bound values.
    for chunk in rows.chunks(1_000) {
        crate::per_backend!(conn, |c| diesel::insert_into(changes::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// The feed's bounds: the newest position given, and the newest removed by retention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable)]
pub struct Bounds {
    pub head: i64,
    pub purged_through: i64,
}

pub fn bounds(conn: &mut AnyConnection) -> Result<Bounds, StoreError> {
    Ok(change_feed::table
        .filter(change_feed::id.eq(1))
        .select((change_feed::last_position, change_feed::purged_through))
        .first(conn)?)
}

/// How many committed entries wait for a position (the operators' backlog gauge).
pub fn count_unsequenced(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(changes::table
        .filter(changes::position.is_null())
        .count()
        .get_result(conn)?)
}

/// Whether committed entries wait for a position (a cheap look before taking the lock).
pub fn has_unsequenced(conn: &mut AnyConnection) -> Result<bool, StoreError> {
    Ok(diesel::select(diesel::dsl::exists(
        changes::table.filter(changes::position.is_null()),
    ))
    .get_result(conn)?)
}

/// Gives every committed entry without a position the next positions, in the order they were
/// written; to run in its own write transaction. The `change_feed` row is locked first, so
/// sequencers run one at a time and each sees every entry committed before it started: positions
/// are handed out in the order entries become visible, never below one a reader has passed.
/// Returns the head after sequencing.
pub fn sequence(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    let locked: Bounds = match conn {
        // SQLite's write transaction (BEGIN IMMEDIATE) already excludes every other writer.
        AnyConnection::Sqlite(_) => bounds(conn)?,
        AnyConnection::Pg(pg) => change_feed::table
            .filter(change_feed::id.eq(1))
            .select((change_feed::last_position, change_feed::purged_through))
            .for_update()
            .first(pg)?,
    };
    // On PostgreSQL this statement's snapshot is taken after the lock is held.
    let given = diesel::sql_query(format!(
        "UPDATE changes SET position = numbered.n + {head} \
         FROM (SELECT id, row_number() OVER (ORDER BY id) AS n \
               FROM changes WHERE position IS NULL) AS numbered \
         WHERE changes.id = numbered.id",
        head = locked.head
    ))
    .execute(conn)? as i64;
    if given == 0 {
        return Ok(locked.head);
    }
    let head = locked.head + given;
    diesel::update(change_feed::table.filter(change_feed::id.eq(1)))
        .set(change_feed::last_position.eq(head))
        .execute(conn)?;
    Ok(head)
}

/// Up to `limit` entries after `after` and at most at `head`, of `kinds`, in position order.
pub fn page(
    conn: &mut AnyConnection,
    after: i64,
    head: i64,
    kinds: &[&str],
    limit: i64,
) -> Result<Vec<ChangeRow>, StoreError> {
    Ok(changes::table
        .filter(changes::position.gt(after))
        .filter(changes::position.le(head))
        .filter(changes::kind.eq_any(kinds.iter().map(|k| k.to_string())))
        .order(changes::position.asc())
        .limit(limit)
        .select(ChangeRow::as_select())
        .load(conn)?)
}

/// Removes the sequenced entries written before `cutoff` (a prefix of the feed) and moves the
/// retention mark; to run in a write transaction. Returns how many went.
pub fn purge_before(conn: &mut AnyConnection, cutoff: NaiveDateTime) -> Result<usize, StoreError> {
    let through: Option<i64> = changes::table
        .filter(changes::occurred_at.lt(cutoff))
        .select(diesel::dsl::max(changes::position))
        .first(conn)?;
    let Some(through) = through else {
        return Ok(0);
    };
    let removed =
        diesel::delete(changes::table.filter(changes::position.le(through))).execute(conn)?;
    diesel::update(
        change_feed::table
            .filter(change_feed::id.eq(1))
            .filter(change_feed::purged_through.lt(through)),
    )
    .set(change_feed::purged_through.eq(through))
    .execute(conn)?;
    Ok(removed)
}
