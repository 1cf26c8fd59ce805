-- Reminders (app/src/reminders/): what the daily job found due. One live row per kind and record;
-- it is resolved (not deleted) when no longer due, and both moves are change feed entries, so
-- webhook subscribers hear of them. Each concerned user gets a notification of it; a digest of a
-- user's new notifications is queued once per day in email_outbox and sent with retries.
CREATE TABLE reminders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('recommendation_overdue', 'case_idle', 'evaluation_due',
        'rat_overdue', 'annual_report_missing', 'capital_unreported')),
    -- The record it is about (an audit trail / change feed kind name) and its case, if any.
    subject_kind TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    case_id BIGINT,
    -- The day it became due.
    due_since DATE NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP
);
CREATE UNIQUE INDEX reminders_live ON reminders (kind, subject_kind, subject_id)
    WHERE resolved_at IS NULL;

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    reminder_id BIGINT NOT NULL REFERENCES reminders (id),
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP,
    -- When it went into an e-mail digest (or was passed over: no address, or the kind opted out).
    digested_at TIMESTAMP,
    UNIQUE (user_id, reminder_id)
);
CREATE INDEX notifications_of_user ON notifications (user_id, read_at, id);

-- A user's choices: the digest's language and the kinds they want no e-mail for.
CREATE TABLE notification_settings (
    user_id BIGINT PRIMARY KEY REFERENCES users (id),
    language TEXT NOT NULL CHECK (language IN ('id', 'en')),
    -- Comma-separated reminder kinds.
    email_opt_out TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE email_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    digest_day DATE NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    -- One digest per user per day, however many instances or runs.
    UNIQUE (user_id, digest_day)
);
CREATE INDEX email_outbox_due ON email_outbox (status, next_attempt_at);
