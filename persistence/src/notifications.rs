//! A user's notifications of reminders, their settings, and the e-mail outbox of daily digests.

use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::clinic::Paging;
use crate::ids::{NotificationId, ReminderId, UserId};
use crate::reminders::ReminderRow;
use crate::schema::{email_outbox, notification_settings, notifications, reminders, users};
use crate::{AnyConnection, StoreError, Total, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: NotificationId,
    pub user_id: UserId,
    pub reminder_id: ReminderId,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
    pub digested_at: Option<NaiveDateTime>,
}

/// Gives each `(user, reminder)` pair its notification, once; answers how many were new.
pub fn notify(
    conn: &mut AnyConnection,
    pairs: &[(UserId, ReminderId)],
) -> Result<usize, StoreError> {
    let reminder_ids: Vec<ReminderId> = pairs.iter().map(|(_, r)| *r).collect();
    let mut existing: HashSet<(UserId, ReminderId)> = HashSet::new();
    for chunk in reminder_ids.chunks(500) {
        let rows: Vec<(UserId, ReminderId)> = notifications::table
            .filter(notifications::reminder_id.eq_any(chunk))
            .select((notifications::user_id, notifications::reminder_id))
            .load(conn)?;
        existing.extend(rows);
    }
    let now = now_utc();
    let mut added = 0;
    for (user, reminder) in pairs {
        if existing.insert((*user, *reminder)) {
            diesel::insert_into(notifications::table)
                .values((
                    notifications::user_id.eq(*user),
                    notifications::reminder_id.eq(*reminder),
                    notifications::created_at.eq(now),
                ))
                .execute(conn)?;
            added += 1;
        }
    }
    Ok(added)
}

/// A user's notifications of reminders still due: unread first, then newest.
pub fn list_for(
    conn: &mut AnyConnection,
    user: UserId,
    unread_only: bool,
    paging: Paging,
) -> Result<(Vec<(NotificationRow, ReminderRow)>, Total), StoreError> {
    let filtered = || {
        let mut query = notifications::table
            .inner_join(reminders::table)
            .filter(notifications::user_id.eq(user))
            .filter(reminders::resolved_at.is_null())
            .into_boxed();
        if unread_only {
            query = query.filter(notifications::read_at.is_null());
        }
        query
    };
    let rows = filtered()
        .order((
            notifications::read_at.is_not_null(),
            notifications::id.desc(),
        ))
        .select((NotificationRow::as_select(), ReminderRow::as_select()))
        .limit(paging.limit)
        .offset(paging.offset)
        .load(conn)?;
    let count: i64 = filtered().count().get_result(conn)?;
    Ok((rows, Total { count, exact: true }))
}

/// A user's notification (with its reminder), whatever its state.
pub fn find_for(
    conn: &mut AnyConnection,
    user: UserId,
    id: NotificationId,
) -> Result<(NotificationRow, ReminderRow), StoreError> {
    Ok(notifications::table
        .inner_join(reminders::table)
        .filter(notifications::id.eq(id))
        .filter(notifications::user_id.eq(user))
        .select((NotificationRow::as_select(), ReminderRow::as_select()))
        .first(conn)?)
}

/// Marks one notification read (it stays read).
pub fn mark_read(
    conn: &mut AnyConnection,
    user: UserId,
    id: NotificationId,
) -> Result<(), StoreError> {
    diesel::update(
        notifications::table
            .filter(notifications::id.eq(id))
            .filter(notifications::user_id.eq(user))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(Some(now_utc())))
    .execute(conn)?;
    Ok(())
}

/// Marks every unread notification of a user read; answers how many.
pub fn mark_all_read(conn: &mut AnyConnection, user: UserId) -> Result<usize, StoreError> {
    Ok(diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(Some(now_utc())))
    .execute(conn)?)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = notification_settings)]
pub struct SettingsRow {
    pub user_id: UserId,
    pub language: String,
    pub email_opt_out: String,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

pub fn settings(conn: &mut AnyConnection, user: UserId) -> Result<Option<SettingsRow>, StoreError> {
    Ok(notification_settings::table
        .find(user)
        .select(SettingsRow::as_select())
        .first(conn)
        .optional()?)
}

/// Stores a user's settings, the version moved on (a first save is version 1).
pub fn save_settings(
    conn: &mut AnyConnection,
    user: UserId,
    language: &str,
    email_opt_out: &str,
    current_version: Option<i64>,
) -> Result<(), StoreError> {
    let now = now_utc();
    match current_version {
        None => {
            diesel::insert_into(notification_settings::table)
                .values((
                    notification_settings::user_id.eq(user),
                    notification_settings::language.eq(language),
                    notification_settings::email_opt_out.eq(email_opt_out),
                    notification_settings::version.eq(1),
                    notification_settings::updated_at.eq(now),
                ))
                .execute(conn)?;
            Ok(())
        }
        Some(version) => {
            let updated = diesel::update(
                notification_settings::table
                    .filter(notification_settings::user_id.eq(user))
                    .filter(notification_settings::version.eq(version)),
            )
            .set((
                notification_settings::language.eq(language),
                notification_settings::email_opt_out.eq(email_opt_out),
                notification_settings::version.eq(version + 1),
                notification_settings::updated_at.eq(now),
            ))
            .execute(conn)?;
            crate::versioned::one_row(updated)
        }
    }
}

/// A notification not yet put in a digest: its user, their address, and its reminder's kind.
#[derive(Debug, Clone, Queryable)]
pub struct Undigested {
    pub notification_id: NotificationId,
    pub user_id: UserId,
    pub email: Option<String>,
    pub kind: String,
    pub subject_kind: String,
    pub subject_id: i64,
}

/// Live notifications of active users not yet digested, by user.
pub fn undigested(conn: &mut AnyConnection) -> Result<Vec<Undigested>, StoreError> {
    Ok(notifications::table
        .inner_join(reminders::table)
        .inner_join(users::table.on(users::id.eq(notifications::user_id)))
        .filter(notifications::digested_at.is_null())
        .filter(reminders::resolved_at.is_null())
        .filter(users::active.eq(true))
        .select((
            notifications::id,
            notifications::user_id,
            users::email,
            reminders::kind,
            reminders::subject_kind,
            reminders::subject_id,
        ))
        .order((notifications::user_id, notifications::id))
        .load(conn)?)
}

pub fn mark_digested(conn: &mut AnyConnection, ids: &[NotificationId]) -> Result<(), StoreError> {
    let now = now_utc();
    for chunk in ids.chunks(500) {
        diesel::update(notifications::table.filter(notifications::id.eq_any(chunk)))
            .set(notifications::digested_at.eq(Some(now)))
            .execute(conn)?;
    }
    Ok(())
}

/// A digest to send.
#[derive(Debug, Clone)]
pub struct NewEmail {
    pub user_id: UserId,
    pub digest_day: NaiveDate,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

/// Queues a digest unless the user already has one for that day; answers whether it did.
pub fn queue(conn: &mut AnyConnection, email: &NewEmail) -> Result<bool, StoreError> {
    let already: i64 = email_outbox::table
        .filter(email_outbox::user_id.eq(email.user_id))
        .filter(email_outbox::digest_day.eq(email.digest_day))
        .count()
        .get_result(conn)?;
    if already > 0 {
        return Ok(false);
    }
    let now = now_utc();
    diesel::insert_into(email_outbox::table)
        .values((
            email_outbox::user_id.eq(email.user_id),
            email_outbox::digest_day.eq(email.digest_day),
            email_outbox::recipient.eq(&email.recipient),
            email_outbox::subject.eq(&email.subject),
            email_outbox::body.eq(&email.body),
            email_outbox::status.eq("pending"),
            email_outbox::attempts.eq(0),
            email_outbox::next_attempt_at.eq(now),
            email_outbox::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = email_outbox)]
pub struct EmailRow {
    pub id: i64,
    pub user_id: UserId,
    pub digest_day: NaiveDate,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// Pending digests due by `now`, oldest first.
pub fn due_emails(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<EmailRow>, StoreError> {
    Ok(email_outbox::table
        .filter(email_outbox::status.eq("pending"))
        .filter(email_outbox::next_attempt_at.le(now))
        .order(email_outbox::id)
        .limit(limit)
        .select(EmailRow::as_select())
        .load(conn)?)
}

/// Records an attempt: sent, or failed with when to try again (`None`: given up).
pub fn record_attempt(
    conn: &mut AnyConnection,
    id: i64,
    outcome: Result<(), (&str, Option<NaiveDateTime>)>,
) -> Result<(), StoreError> {
    let now = now_utc();
    let target = email_outbox::table.filter(email_outbox::id.eq(id));
    match outcome {
        Ok(()) => diesel::update(target)
            .set((
                email_outbox::status.eq("sent"),
                email_outbox::attempts.eq(email_outbox::attempts + 1),
                email_outbox::sent_at.eq(Some(now)),
                email_outbox::last_error.eq(None::<String>),
            ))
            .execute(conn)?,
        Err((error, retry_at)) => diesel::update(target)
            .set((
                email_outbox::status.eq(if retry_at.is_some() {
                    "pending"
                } else {
                    "failed"
                }),
                email_outbox::attempts.eq(email_outbox::attempts + 1),
                email_outbox::next_attempt_at.eq(retry_at.unwrap_or(now)),
                email_outbox::last_error.eq(Some(error)),
            ))
            .execute(conn)?,
    };
    Ok(())
}
