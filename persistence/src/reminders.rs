//! Reminders and what the daily job reads to find them (see the `reminders` migration); the
//! notifications, settings and e-mail outbox live in `notifications.rs`.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use klinik_domain::reminders::ReminderKind;

use crate::ids::ReminderId;
use crate::schema::{
    annual_reports, case_members, case_transitions, cases, cooperatives, evaluations, experts,
    mentoring_activities, recommendation_transitions, recommendations, reminders, users,
};
use crate::{AnyConnection, Parsed, StoreError, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = reminders)]
pub struct ReminderRow {
    pub id: ReminderId,
    #[diesel(deserialize_as = Parsed<ReminderKind>)]
    pub kind: ReminderKind,
    pub subject_kind: String,
    pub subject_id: i64,
    pub case_id: Option<i64>,
    pub due_since: NaiveDate,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub resolved_at: Option<NaiveDateTime>,
}

/// Something found due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub kind: ReminderKind,
    pub subject_kind: &'static str,
    pub subject_id: i64,
    pub case_id: Option<i64>,
    pub due_since: NaiveDate,
}

/// A recommendation still open, with what its reminders need.
#[derive(Debug, Clone, Queryable)]
pub struct OpenRecommendation {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub status: String,
    pub due_on: Option<NaiveDate>,
    pub approved_on: Option<NaiveDate>,
    pub responsible_user_id: Option<i64>,
}

pub fn open_recommendations(
    conn: &mut AnyConnection,
) -> Result<Vec<OpenRecommendation>, StoreError> {
    Ok(recommendations::table
        .filter(recommendations::status.eq_any(["proposed", "agreed", "in_progress"]))
        .select((
            recommendations::id,
            recommendations::case_id,
            recommendations::kind,
            recommendations::status,
            recommendations::due_on,
            recommendations::approved_on,
            recommendations::responsible_user_id,
        ))
        .order(recommendations::id)
        .load(conn)?)
}

/// When each of `ids` last became `agreed`.
pub fn agreed_at(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, NaiveDateTime>, StoreError> {
    let mut latest = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, NaiveDateTime)> = recommendation_transitions::table
            .filter(recommendation_transitions::recommendation_id.eq_any(chunk))
            .filter(recommendation_transitions::to_status.eq("agreed"))
            .select((
                recommendation_transitions::recommendation_id,
                recommendation_transitions::created_at,
            ))
            .load(conn)?;
        for (id, at) in rows {
            let entry = latest.entry(id).or_insert(at);
            *entry = (*entry).max(at);
        }
    }
    Ok(latest)
}

/// Cases in one of `statuses`, with the time each last entered `entered`.
pub fn cases_in(
    conn: &mut AnyConnection,
    statuses: &[&str],
    entered: &str,
) -> Result<Vec<(i64, String, Option<NaiveDateTime>)>, StoreError> {
    let rows: Vec<(i64, String)> = cases::table
        .filter(cases::status.eq_any(statuses))
        .select((cases::id, cases::status))
        .order(cases::id)
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    let mut since: HashMap<i64, NaiveDateTime> = HashMap::new();
    for chunk in ids.chunks(500) {
        let moves: Vec<(i64, NaiveDateTime)> = case_transitions::table
            .filter(case_transitions::case_id.eq_any(chunk))
            .filter(case_transitions::to_status.eq(entered))
            .select((case_transitions::case_id, case_transitions::created_at))
            .load(conn)?;
        for (id, at) in moves {
            let entry = since.entry(id).or_insert(at);
            *entry = (*entry).max(at);
        }
    }
    Ok(rows
        .into_iter()
        .map(|(id, status)| {
            let at = since.get(&id).copied();
            (id, status, at)
        })
        .collect())
}

/// The latest mentoring activity of each of `case_ids` that has one.
pub fn last_activity(
    conn: &mut AnyConnection,
    case_ids: &[i64],
) -> Result<HashMap<i64, NaiveDate>, StoreError> {
    let mut latest = HashMap::new();
    for chunk in case_ids.chunks(500) {
        let rows: Vec<(i64, NaiveDate)> = mentoring_activities::table
            .filter(mentoring_activities::case_id.eq_any(chunk))
            .select((mentoring_activities::case_id, mentoring_activities::held_on))
            .load(conn)?;
        for (id, on) in rows {
            let entry = latest.entry(id).or_insert(on);
            *entry = (*entry).max(on);
        }
    }
    Ok(latest)
}

/// The latest evaluation of each of `case_ids` that has one.
pub fn last_evaluation(
    conn: &mut AnyConnection,
    case_ids: &[i64],
) -> Result<HashMap<i64, NaiveDate>, StoreError> {
    let mut latest = HashMap::new();
    for chunk in case_ids.chunks(500) {
        let rows: Vec<(i64, NaiveDate)> = evaluations::table
            .filter(evaluations::case_id.eq_any(chunk))
            .select((evaluations::case_id, evaluations::evaluated_on))
            .load(conn)?;
        for (id, on) in rows {
            let entry = latest.entry(id).or_insert(on);
            *entry = (*entry).max(on);
        }
    }
    Ok(latest)
}

/// Active cooperatives (not archived) and whether their annual report for `book_year` says a
/// RAT was held (`None`: no report).
pub fn active_cooperatives_rat(
    conn: &mut AnyConnection,
    book_year: i32,
) -> Result<Vec<(i64, Option<bool>)>, StoreError> {
    let ids: Vec<i64> = cooperatives::table
        .filter(cooperatives::status.eq("aktif"))
        .filter(cooperatives::archived_at.is_null())
        .select(cooperatives::id)
        .order(cooperatives::id)
        .load(conn)?;
    let mut held: HashMap<i64, bool> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, bool)> = annual_reports::table
            .filter(annual_reports::cooperative_id.eq_any(chunk))
            .filter(annual_reports::book_year.eq(book_year))
            .select((annual_reports::cooperative_id, annual_reports::rat_held))
            .load(conn)?;
        held.extend(rows);
    }
    Ok(ids
        .into_iter()
        .map(|id| {
            let rat = held.get(&id).copied();
            (id, rat)
        })
        .collect())
}

/// Active users with `role`.
pub fn users_with_role(conn: &mut AnyConnection, role: &str) -> Result<Vec<i64>, StoreError> {
    Ok(users::table
        .filter(users::role.eq(role))
        .filter(users::active.eq(true))
        .select(users::id)
        .load(conn)?)
}

/// The active users linked to an expert on each case (team or mentor).
pub fn case_people(
    conn: &mut AnyConnection,
    case_ids: &[i64],
) -> Result<Vec<(i64, i64)>, StoreError> {
    let mut pairs = Vec::new();
    for chunk in case_ids.chunks(500) {
        let rows: Vec<(i64, Option<i64>)> = case_members::table
            .inner_join(experts::table.on(experts::id.eq(case_members::expert_id)))
            .filter(case_members::case_id.eq_any(chunk))
            .select((case_members::case_id, experts::user_id))
            .load(conn)?;
        pairs.extend(rows.into_iter().filter_map(|(c, u)| u.map(|u| (c, u))));
    }
    let active: Vec<i64> = users::table
        .filter(users::active.eq(true))
        .select(users::id)
        .load(conn)?;
    pairs.retain(|(_, user)| active.contains(user));
    pairs.sort_unstable();
    pairs.dedup();
    Ok(pairs)
}

/// Every reminder still due.
pub fn live(conn: &mut AnyConnection) -> Result<Vec<ReminderRow>, StoreError> {
    Ok(reminders::table
        .filter(reminders::resolved_at.is_null())
        .select(ReminderRow::as_select())
        .order(reminders::id)
        .load(conn)?)
}

pub fn find(conn: &mut AnyConnection, id: ReminderId) -> Result<ReminderRow, StoreError> {
    Ok(reminders::table
        .find(id)
        .select(ReminderRow::as_select())
        .first(conn)?)
}

pub fn insert(conn: &mut AnyConnection, due: &Due) -> Result<ReminderRow, StoreError> {
    let now = now_utc();
    Ok(diesel::insert_into(reminders::table)
        .values((
            reminders::kind.eq(due.kind.as_str()),
            reminders::subject_kind.eq(due.subject_kind),
            reminders::subject_id.eq(due.subject_id),
            reminders::case_id.eq(due.case_id),
            reminders::due_since.eq(due.due_since),
            reminders::version.eq(1),
            reminders::created_at.eq(now),
            reminders::updated_at.eq(now),
        ))
        .returning(reminders::all_columns)
        .get_result(conn)?)
}

/// Marks reminders no longer due.
pub fn resolve(conn: &mut AnyConnection, ids: &[ReminderId]) -> Result<(), StoreError> {
    let now = now_utc();
    for chunk in ids.chunks(500) {
        diesel::update(reminders::table.filter(reminders::id.eq_any(chunk)))
            .set((
                reminders::resolved_at.eq(Some(now)),
                reminders::updated_at.eq(now),
                reminders::version.eq(reminders::version + 1),
            ))
            .execute(conn)?;
    }
    Ok(())
}
