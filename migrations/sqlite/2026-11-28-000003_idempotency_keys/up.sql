-- Responses to create requests that carried an Idempotency-Key, so that a retry gets the first answer.
CREATE TABLE idempotency_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response_status INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    response_location TEXT,
    response_etag TEXT,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT idempotency_keys_scope_key_key UNIQUE (scope, idempotency_key)
);
