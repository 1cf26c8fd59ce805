-- The change feed's outbox (app/src/changes/): one row per change of a record that other systems
-- follow, written in the change's own transaction. `position` is the feed's order and is given
-- only after the row has committed, by one sequencer at a time (the `change_feed` row is its
-- lock): a reader that has passed position N can never later meet a row below N, however the
-- writers' transactions interleave and commit.
CREATE TABLE changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    position BIGINT UNIQUE,
    occurred_at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    version BIGINT
);

CREATE INDEX changes_unsequenced_idx ON changes (id) WHERE position IS NULL;
CREATE INDEX changes_occurred_at_idx ON changes (occurred_at);

-- The sequencer's state: the last position given, and how far retention has removed the feed.
CREATE TABLE change_feed (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_position BIGINT NOT NULL,
    purged_through BIGINT NOT NULL
);
INSERT INTO change_feed (id, last_position, purged_through) VALUES (1, 0, 0);

-- `updated_since` on the UKM list, the one list large enough to need it (the cooperatives'
-- index exists since their migration).
CREATE INDEX ukm_updated_at_idx ON ukm (updated_at, id);
