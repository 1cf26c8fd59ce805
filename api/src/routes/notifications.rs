//! Your notifications: `/api/v1/me/notifications` and `/api/v1/me/notification-settings`.

use klinik_app::reminders::model::{
    Marked, Notification, NotificationQuery, NotificationSettings, PutNotificationSettings,
};
use klinik_app::reminders::notifications;

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_my_notifications)
        .service(read_all_my_notifications)
        .service(read_my_notification)
        .service(get_my_notification_settings)
        .service(put_my_notification_settings);
}

/// List the reminders that concern you, unread first.
///
/// The daily job finds what is due — recommendations past their due date, cases in mentoring
/// with no activity, evaluations due, active cooperatives whose RAT or annual report for the last
/// book year is missing past its deadline, capital agreed but not reported by the bank — and
/// notifies officers, the people on the case (team and mentors, through their expert records)
/// and a recommendation's responsible user. A reminder leaves the list once it is no longer due.
/// `link` is where its record is read.
#[utoipa::path(
    tag = "notifications",
    params(NotificationQuery),
    responses(
        (status = 200, description = "One page of your notifications.", body = Page<Notification>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/me/notifications")]
pub async fn list_my_notifications(
    allowed: Allowed,
    query: QueryParams<NotificationQuery>,
) -> Reply {
    ok(notifications::list(&allowed, query.0).await?)
}

/// Mark one of your notifications read.
#[utoipa::path(
    tag = "notifications",
    params(("id" = i64, Path, description = "The notification's id.", minimum = 1)),
    responses((status = 200, description = "The notification, read.", body = Notification)),
)]
#[post("/me/notifications/{id}/read")]
pub async fn read_my_notification(allowed: Allowed, id: web::Path<NotificationId>) -> Reply {
    ok(notifications::read(&allowed, *id).await?)
}

/// Mark all your notifications read.
#[utoipa::path(
    tag = "notifications",
    responses((status = 200, description = "How many were unread.", body = Marked)),
)]
#[post("/me/notifications/read-all")]
pub async fn read_all_my_notifications(allowed: Allowed) -> Reply {
    ok(notifications::read_all(&allowed).await?)
}

/// Read your notification settings: the digest's language and the kinds you get no e-mail for.
///
/// A daily e-mail digest lists the reminders that reached you since the last one, when the
/// server has a mail server (`KLINIK_SMTP_URL`) and your account an address.
#[utoipa::path(
    tag = "notifications",
    responses(
        (status = 200, description = "Your settings.", body = NotificationSettings,
            headers(("ETag" = String, description = "Their version, for If-Match."))),
    ),
)]
#[get("/me/notification-settings")]
pub async fn get_my_notification_settings(allowed: Allowed) -> Reply {
    tagged(notifications::settings(&allowed).await?)
}

/// Set your notification settings.
#[utoipa::path(
    tag = "notifications",
    request_body = PutNotificationSettings,
    params(("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if they changed since.")),
    responses(
        (status = 200, description = "Your settings as saved.", body = NotificationSettings,
            headers(("ETag" = String, description = "Their new version."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[put("/me/notification-settings")]
pub async fn put_my_notification_settings(
    allowed: Allowed,
    if_match: Precondition,
    body: JsonBody<PutNotificationSettings>,
) -> Reply {
    tagged(notifications::put_settings(&allowed, if_match.0, body.value).await?)
}
