//! `/me/notifications`: the reminders that concern the signed-in person, and their settings.

use klinik_domain::reminders::ReminderKind;
use klinik_persistence::notifications as store;
use klinik_persistence::users;

use super::model::{
    DigestLanguage, Marked, Notification, NotificationQuery, NotificationSettings,
    PutNotificationSettings,
};
use crate::prelude::*;

fn me(caller: &Caller) -> Result<UserId, Error> {
    match caller {
        Caller::User { id, .. } => Ok(*id),
        Caller::Client { .. } => Err(Error::forbidden(msg!(
            "Notifications are for people signed in, not for clients."
        ))),
    }
}

/// Your notifications of reminders still due: unread first, then newest.
pub async fn list(ctx: &Ctx, query: NotificationQuery) -> Result<Page<Notification>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let user = me(&ctx.caller)?;
    let unread = query.unread.unwrap_or(false);
    let (rows, total) = ctx
        .read(move |conn, _| Ok::<_, Error>(store::list_for(conn, user, unread, paging(&page))?))
        .await?;
    Ok(page.wrap_capped(rows.into_iter().map(Notification::from).collect(), total))
}

/// Marks one of your notifications read (again is fine); 404 for another's.
pub async fn read(ctx: &Ctx, id: NotificationId) -> Result<Notification, Error> {
    let user = me(&ctx.caller)?;
    ctx.write(move |conn, _| {
        store::find_for(conn, user, id).map_err(Error::missing(Record::Notification))?;
        store::mark_read(conn, user, id)?;
        Ok(Notification::from(store::find_for(conn, user, id)?))
    })
    .await
}

/// Marks all your notifications read.
pub async fn read_all(ctx: &Ctx) -> Result<Marked, Error> {
    let user = me(&ctx.caller)?;
    let marked = ctx
        .write(move |conn, _| Ok::<_, Error>(store::mark_all_read(conn, user)?))
        .await?;
    Ok(Marked { marked })
}

fn settings_of(conn: &mut AnyConnection, user: UserId) -> Result<NotificationSettings, Error> {
    let email = users::find(conn, user)
        .map_err(Error::missing(Record::User))?
        .email;
    Ok(match store::settings(conn, user)? {
        None => NotificationSettings {
            language: DigestLanguage::Id,
            email_opt_out: Vec::new(),
            email,
            version: 0,
        },
        Some(row) => NotificationSettings {
            language: if row.language == "en" {
                DigestLanguage::En
            } else {
                DigestLanguage::Id
            },
            email_opt_out: opt_outs(&row.email_opt_out),
            email,
            version: row.version,
        },
    })
}

/// The kinds in a stored opt-out list (unknown spellings are dropped: a kind may be retired).
pub fn opt_outs(text: &str) -> Vec<ReminderKind> {
    text.split(',').filter_map(|k| k.parse().ok()).collect()
}

pub async fn settings(ctx: &Ctx) -> Result<NotificationSettings, Error> {
    let user = me(&ctx.caller)?;
    ctx.read(move |conn, _| settings_of(conn, user)).await
}

pub async fn put_settings(
    ctx: &Ctx,
    if_match: IfMatch,
    input: PutNotificationSettings,
) -> Result<NotificationSettings, Error> {
    let user = me(&ctx.caller)?;
    if input.email_opt_out.len() > ReminderKind::ALL.len() {
        return Err(Error::validation(
            "email_opt_out",
            "too_many_items",
            msg!("at most %{max} kinds", max = ReminderKind::ALL.len()),
        ));
    }
    ctx.write(move |conn, ctx| {
        let current = settings_of(conn, user)?;
        if_match.check(current.version)?;
        let mut kinds: Vec<&str> = input.email_opt_out.iter().map(|k| k.as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let language = match input.language {
            DigestLanguage::Id => "id",
            DigestLanguage::En => "en",
        };
        let stored = (current.version > 0).then_some(current.version);
        store::save_settings(conn, user, language, &kinds.join(","), stored)?;
        let after = settings_of(conn, user)?;
        let changes = crate::audit::diff(Some(&current), Some(&after), &["email"]);
        versioned::committed(
            conn,
            ctx,
            "update",
            "notification_settings",
            &user.to_string(),
            Some(changes),
        )?;
        Ok(after)
    })
    .await
}
