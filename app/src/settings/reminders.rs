//! When follow-ups fall due, and how the daily digest is mailed.

use super::{Secret, SettingsError, invalid, number};

/// | variable | default | meaning |
/// |---|---|---|
/// | `KLINIK_REMINDER_IDLE_DAYS` | `30` | days without a mentoring activity before a case in mentoring is a reminder (1–365) |
/// | `KLINIK_REMINDER_EVALUATION_DAYS` | `90` | days since mentoring began or the last evaluation before an evaluation is due (1–730) |
/// | `KLINIK_REMINDER_CAPITAL_DAYS` | `30` | days after capital is agreed before the bank's silence is a reminder (1–365) |
/// | `KLINIK_SMTP_URL` | none (no e-mail) | the SMTP server, e.g. `smtp://127.0.0.1:25`, `smtp://user:pass@host:587?tls=required`, `smtps://user:pass@host:465` |
/// | `KLINIK_SMTP_FROM` | `Klinik KUMKM <noreply@localhost>` | the digests' sender |
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminders {
    pub idle_days: u32,
    pub evaluation_days: u32,
    pub capital_days: u32,
    /// `None`: no digests are queued or sent.
    pub smtp_url: Option<Secret>,
    pub mail_from: String,
}

impl Default for Reminders {
    fn default() -> Self {
        Reminders {
            idle_days: 30,
            evaluation_days: 90,
            capital_days: 30,
            smtp_url: None,
            mail_from: "Klinik KUMKM <noreply@localhost>".into(),
        }
    }
}

impl Reminders {
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let smtp_url = match lookup("KLINIK_SMTP_URL") {
            None => None,
            Some(url) if url.starts_with("smtp://") || url.starts_with("smtps://") => {
                Some(Secret::new(url))
            }
            Some(_) => {
                return Err(invalid(
                    "KLINIK_SMTP_URL",
                    "must start with smtp:// or smtps://",
                ));
            }
        };
        let mail_from =
            lookup("KLINIK_SMTP_FROM").unwrap_or_else(|| Reminders::default().mail_from);
        if !mail_from.contains('@') {
            return Err(invalid(
                "KLINIK_SMTP_FROM",
                "must be an e-mail address, e.g. Klinik <klinik@example.go.id>",
            ));
        }
        Ok(Reminders {
            idle_days: number(lookup, "KLINIK_REMINDER_IDLE_DAYS", 30, 1, 365)?,
            evaluation_days: number(lookup, "KLINIK_REMINDER_EVALUATION_DAYS", 90, 1, 730)?,
            capital_days: number(lookup, "KLINIK_REMINDER_CAPITAL_DAYS", 30, 1, 365)?,
            smtp_url,
            mail_from,
        })
    }
}
