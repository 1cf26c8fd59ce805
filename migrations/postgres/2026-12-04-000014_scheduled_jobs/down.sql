DROP INDEX sign_in_failures_failed_at_idx;
DROP INDEX idempotency_keys_created_at_idx;
DROP TABLE scheduled_jobs;
