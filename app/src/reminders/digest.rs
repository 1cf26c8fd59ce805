//! The daily e-mail digest: one message per person a day, listing the reminders that reached
//! them since the last one, in Bahasa Indonesia unless they chose English, without the kinds they
//! opted out of. Queued in the reminders' transaction (`email_outbox`, one row per person and
//! day, so never twice), then sent over SMTP with retries by the `send_email_digests` job.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use klinik_domain::reminders::ReminderKind;
use klinik_persistence::notifications::{self as store, NewEmail, Undigested};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::model::link;
use super::notifications::opt_outs;
use crate::prelude::*;

/// Attempts before a digest is given up (about a day of backoff).
const MAX_ATTEMPTS: i32 = 8;
/// The first wait after a failure; it doubles each time.
const FIRST_RETRY: Duration = Duration::minutes(5);

/// Queues today's digest for every person with new notifications and an address; answers how
/// many. Nothing when no mail server is configured (the notifications wait for one).
pub fn queue_all(conn: &mut AnyConnection, app: &App, today: NaiveDate) -> Result<usize, Error> {
    if app.reminders.smtp_url.is_none() {
        return Ok(0);
    }
    let mut by_user: BTreeMap<UserId, Vec<Undigested>> = BTreeMap::new();
    for row in store::undigested(conn)? {
        by_user.entry(row.user_id).or_default().push(row);
    }
    let mut queued = 0;
    for (user, rows) in by_user {
        let settings = store::settings(conn, user)?;
        let indonesian = settings.as_ref().is_none_or(|s| s.language != "en");
        let skipped = settings
            .map(|s| opt_outs(&s.email_opt_out))
            .unwrap_or_default();
        let included: Vec<&Undigested> = rows
            .iter()
            .filter(|r| {
                r.kind
                    .parse::<ReminderKind>()
                    .is_ok_and(|k| !skipped.contains(&k))
            })
            .collect();
        let email = rows.first().and_then(|r| r.email.clone());
        if let (Some(recipient), false) = (email, included.is_empty()) {
            let display_name = klinik_persistence::users::find(conn, user)?.display_name;
            let (subject, body) = compose(&display_name, &included, indonesian, today);
            let new = NewEmail {
                user_id: user,
                digest_day: today,
                recipient,
                subject,
                body,
            };
            if !store::queue(conn, &new)? {
                // Today's digest is gone already: these wait for tomorrow's.
                continue;
            }
            queued += 1;
        }
        // In a digest, opted out, or nowhere to send: none of them is news tomorrow.
        let ids: Vec<NotificationId> = rows.iter().map(|r| r.notification_id).collect();
        store::mark_digested(conn, &ids)?;
    }
    Ok(queued)
}

/// The digest's subject and plain-text body.
fn compose(
    name: &str,
    rows: &[&Undigested],
    indonesian: bool,
    today: NaiveDate,
) -> (String, String) {
    let date = today.format("%Y-%m-%d");
    let count = rows.len();
    let (subject, greeting, intro, closing) = if indonesian {
        (
            format!("Klinik KUMKM: {count} pengingat ({date})"),
            format!("Yth. {name},"),
            "Hal-hal berikut memerlukan perhatian Anda:",
            "Pesan ini dikirim otomatis oleh Klinik KUMKM. Atur pengingat e-mail Anda di /api/v1/me/notification-settings.",
        )
    } else {
        (
            format!("Klinik KUMKM: {count} reminders ({date})"),
            format!("Dear {name},"),
            "These need your attention:",
            "This message was sent by Klinik KUMKM. Choose which reminders you get by e-mail at /api/v1/me/notification-settings.",
        )
    };
    let mut body = format!("{greeting}\n\n{intro}\n\n");
    for row in rows {
        let line = row
            .kind
            .parse::<ReminderKind>()
            .map(|k| k.line(indonesian))
            .unwrap_or_default();
        body.push_str(&format!(
            "- {line}: {}\n",
            link(&row.subject_kind, row.subject_id)
        ));
    }
    body.push_str(&format!("\n{closing}\n"));
    (subject, body)
}

/// Sends the digests that are due by `now`; answers how many went. A failure waits and is tried
/// again, up to [`MAX_ATTEMPTS`]; the address and the server's answer never reach a log.
pub async fn send_due(app: &App, now: NaiveDateTime) -> Result<usize, Error> {
    let Some(url) = app.reminders.smtp_url.clone() else {
        return Ok(0);
    };
    let due = app
        .read(move |conn| Ok::<_, Error>(store::due_emails(conn, now, 50)?))
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
        .map_err(|_| Error::internal(&"KLINIK_SMTP_URL is not a usable SMTP URL"))?
        .timeout(Some(std::time::Duration::from_secs(30)))
        .build();
    let from: Mailbox = app
        .reminders
        .mail_from
        .parse()
        .map_err(|_| Error::internal(&"KLINIK_SMTP_FROM is not an address"))?;
    let mut sent = 0;
    for email in due {
        let outcome = match build(&from, &email) {
            Err(reason) => Err((reason, false)),
            Ok(message) => transport.send(message).await.map(|_| ()).map_err(|e| {
                let permanent = e.is_permanent();
                tracing::warn!(digest = email.id, permanent, "sending a digest failed");
                (
                    if permanent {
                        "refused by the mail server"
                    } else {
                        "mail server unreachable or busy"
                    },
                    permanent,
                )
            }),
        };
        let attempts = email.attempts + 1;
        let id = email.id;
        let record = match outcome {
            Ok(()) => {
                sent += 1;
                Ok(())
            }
            Err((reason, permanent)) => {
                let retry = (!permanent && attempts < MAX_ATTEMPTS).then(|| {
                    now + FIRST_RETRY * 2i32.pow(u32::try_from(attempts - 1).unwrap_or(0))
                });
                Err((reason, retry))
            }
        };
        app.write(move |conn| {
            Ok::<_, Error>(store::record_attempt(
                conn,
                id,
                record.as_ref().map(|_| ()).map_err(|(r, t)| (*r, *t)),
            )?)
        })
        .await?;
    }
    Ok(sent)
}

fn build(from: &Mailbox, email: &store::EmailRow) -> Result<Message, &'static str> {
    let to: Mailbox = email
        .recipient
        .parse()
        .map_err(|_| "the address is not valid")?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(email.subject.clone())
        .message_id(Some(format!(
            "<digest-{}-{}@klinik-kumkm>",
            email.id, email.digest_day
        )))
        .header(ContentType::TEXT_PLAIN)
        .body(email.body.clone())
        .map_err(|_| "the message could not be built")
}
