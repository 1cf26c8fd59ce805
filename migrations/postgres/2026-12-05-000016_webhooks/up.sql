-- Webhooks (app/src/webhooks/): an admin subscribes an integration client's URL to kinds of
-- change; a worker turns each change feed entry into one delivery per matching subscription
-- (the `webhook_fanout` row remembers how far, and is the lock that makes it happen once), then
-- posts the deliveries, signed, until each succeeds or grows too old.
CREATE TABLE webhook_subscriptions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id BIGINT NOT NULL REFERENCES api_clients (id),
    url TEXT NOT NULL,
    -- Comma-separated change kinds.
    kinds TEXT NOT NULL,
    -- The signing secret, sealed with the data key like personal data.
    secret TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    disabled_reason TEXT,
    -- Failed attempts in a row; a success resets it.
    failure_streak INTEGER NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP
);

CREATE TABLE webhook_deliveries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES webhook_subscriptions (id),
    -- The change, copied: the feed may drop it before the delivery is done with.
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    version BIGINT,
    occurred_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    -- While an instance is posting it: others leave it alone until then.
    lease_until TIMESTAMP,
    last_attempt_at TIMESTAMP,
    last_status_code INTEGER,
    last_error TEXT,
    -- At most the first 512 characters of the receiver's answer.
    response_excerpt TEXT,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    UNIQUE (subscription_id, position)
);

CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (subscription_id, id);

CREATE TABLE webhook_fanout (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    last_position BIGINT NOT NULL
);
INSERT INTO webhook_fanout (id, last_position) VALUES (1, 0);
