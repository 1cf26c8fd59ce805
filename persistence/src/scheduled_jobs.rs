//! The claim and the record of background job runs (see the `scheduled_jobs` migration).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::scheduled_jobs;
use crate::{AnyConnection, StoreError};

/// A job's row: when it is next due and how its last run went.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = scheduled_jobs)]
pub struct JobRow {
    pub name: String,
    pub next_due_at: NaiveDateTime,
    pub holder: Option<String>,
    pub last_started_at: Option<NaiveDateTime>,
    pub last_finished_at: Option<NaiveDateTime>,
    pub last_outcome: Option<String>,
}

/// Claims the run of `name` that is due at `now` for `holder`, moving the next run to `next`;
/// to run in its own write transaction. True for exactly one caller per due run, however many
/// instances ask at once (the conditional UPDATE waits on the row lock and re-reads it); false
/// when the job is not due. A job never seen before is due: its row is inserted, and a
/// concurrent first insert fails with [`StoreError::Duplicate`], which also means "not yours".
pub fn claim(
    conn: &mut AnyConnection,
    name: &str,
    holder: &str,
    now: NaiveDateTime,
    next: NaiveDateTime,
) -> Result<bool, StoreError> {
    let moved = diesel::update(
        scheduled_jobs::table
            .filter(scheduled_jobs::name.eq(name))
            .filter(scheduled_jobs::next_due_at.le(now)),
    )
    .set((
        scheduled_jobs::next_due_at.eq(next),
        scheduled_jobs::holder.eq(holder),
        scheduled_jobs::last_started_at.eq(now),
    ))
    .execute(conn)?;
    if moved == 1 {
        return Ok(true);
    }
    let known: i64 = scheduled_jobs::table
        .filter(scheduled_jobs::name.eq(name))
        .count()
        .get_result(conn)?;
    if known > 0 {
        return Ok(false);
    }
    diesel::insert_into(scheduled_jobs::table)
        .values((
            scheduled_jobs::name.eq(name),
            scheduled_jobs::next_due_at.eq(next),
            scheduled_jobs::holder.eq(holder),
            scheduled_jobs::last_started_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Records how a claimed run ended; `retry_at` (after a failure) brings the next run forward.
pub fn finish(
    conn: &mut AnyConnection,
    name: &str,
    finished_at: NaiveDateTime,
    outcome: &str,
    retry_at: Option<NaiveDateTime>,
) -> Result<(), StoreError> {
    diesel::update(scheduled_jobs::table.find(name))
        .set((
            scheduled_jobs::last_finished_at.eq(finished_at),
            scheduled_jobs::last_outcome.eq(outcome),
        ))
        .execute(conn)?;
    if let Some(at) = retry_at {
        diesel::update(scheduled_jobs::table.find(name))
            .set(scheduled_jobs::next_due_at.eq(at))
            .execute(conn)?;
    }
    Ok(())
}

pub fn all(conn: &mut AnyConnection) -> Result<Vec<JobRow>, StoreError> {
    Ok(scheduled_jobs::table
        .order(scheduled_jobs::name)
        .select(JobRow::as_select())
        .load(conn)?)
}
