//! Reminders and notifications as the API shows them.

use chrono::{DateTime, NaiveDate, Utc};
use klinik_domain::reminders::ReminderKind;
use klinik_persistence::notifications::NotificationRow;
use klinik_persistence::reminders::ReminderRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::fields::utc;
use crate::versioned::Tagged;

/// Something due that someone must not forget.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 4, "kind": "recommendation_overdue", "subject_kind": "recommendation",
    "subject_id": 12, "case_id": 3, "link": "/api/v1/recommendations/12", "due_since": "2026-11-02",
    "version": 1, "created_at": "2026-11-02T00:05:00Z", "resolved_at": null}))]
pub struct Reminder {
    pub id: i64,
    pub kind: ReminderKind,
    /// The kind of record it is about: `recommendation`, `case` or `cooperative`.
    pub subject_kind: String,
    pub subject_id: i64,
    /// The case it belongs to, if any.
    pub case_id: Option<i64>,
    /// Where the record is read.
    pub link: String,
    /// The day it became due.
    pub due_since: NaiveDate,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    /// When it stopped being due (done, or no longer applicable).
    pub resolved_at: Option<DateTime<Utc>>,
}

/// The API path of a reminder's record.
pub fn link(subject_kind: &str, id: i64) -> String {
    match subject_kind {
        "recommendation" => format!("/api/v1/recommendations/{id}"),
        "case" => format!("/api/v1/cases/{id}"),
        "cooperative" => format!("/api/v1/cooperatives/{id}"),
        other => format!("/api/v1/{other}/{id}"),
    }
}

impl From<ReminderRow> for Reminder {
    fn from(row: ReminderRow) -> Self {
        Reminder {
            id: row.id.get(),
            kind: row.kind,
            link: link(&row.subject_kind, row.subject_id),
            subject_kind: row.subject_kind,
            subject_id: row.subject_id,
            case_id: row.case_id,
            due_since: row.due_since,
            version: row.version,
            created_at: utc(row.created_at),
            resolved_at: row.resolved_at.map(utc),
        }
    }
}

/// A reminder that concerns you.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 9, "kind": "case_idle", "subject_kind": "case", "subject_id": 3,
    "case_id": 3, "link": "/api/v1/cases/3", "due_since": "2026-11-20",
    "created_at": "2026-11-20T00:05:00Z", "read_at": null}))]
pub struct Notification {
    pub id: i64,
    pub kind: ReminderKind,
    pub subject_kind: String,
    pub subject_id: i64,
    pub case_id: Option<i64>,
    /// Where the record is read.
    pub link: String,
    pub due_since: NaiveDate,
    pub created_at: DateTime<Utc>,
    /// When you marked it read; unread ones come first.
    pub read_at: Option<DateTime<Utc>>,
}

impl From<(NotificationRow, ReminderRow)> for Notification {
    fn from((n, r): (NotificationRow, ReminderRow)) -> Self {
        Notification {
            id: n.id.get(),
            kind: r.kind,
            link: link(&r.subject_kind, r.subject_id),
            subject_kind: r.subject_kind,
            subject_id: r.subject_id,
            case_id: r.case_id,
            due_since: r.due_since,
            created_at: utc(n.created_at),
            read_at: n.read_at.map(utc),
        }
    }
}

/// How to list your notifications.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only unread ones.
    pub unread: Option<bool>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// How many notifications were marked read.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"marked": 3}))]
pub struct Marked {
    pub marked: usize,
}

/// The language of your e-mail digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DigestLanguage {
    /// Bahasa Indonesia.
    Id,
    En,
}

/// Your notification settings.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"language": "id", "email_opt_out": ["annual_report_missing"],
    "email": "siti@example.go.id", "version": 2}))]
pub struct NotificationSettings {
    /// The digest's language (Bahasa Indonesia unless you choose English).
    pub language: DigestLanguage,
    /// Kinds you get no e-mail for (they still appear in the app).
    pub email_opt_out: Vec<ReminderKind>,
    /// Where digests go: your account's address (an admin sets it); none, no digest.
    pub email: Option<String>,
    /// Sent as the `ETag`; 0 until first saved.
    pub version: i64,
}

impl Tagged for NotificationSettings {
    fn version(&self) -> i64 {
        self.version
    }
}

/// Sets your notification settings (both fields).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"language": "en", "email_opt_out": ["annual_report_missing", "rat_overdue"]}))]
pub struct PutNotificationSettings {
    pub language: DigestLanguage,
    #[schema(max_items = 6)]
    pub email_opt_out: Vec<ReminderKind>,
}
