-- Background jobs (app/src/scheduler.rs): one row per job. An instance runs a job only after
-- moving its `next_due_at` forward in a conditional UPDATE, so with several instances on one
-- database each due run happens once.
CREATE TABLE scheduled_jobs (
    name TEXT PRIMARY KEY,
    next_due_at TIMESTAMP NOT NULL,
    holder TEXT,
    last_started_at TIMESTAMP,
    last_finished_at TIMESTAMP,
    last_outcome TEXT
);

-- The daily purges delete by age.
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
CREATE INDEX sign_in_failures_failed_at_idx ON sign_in_failures (failed_at);
