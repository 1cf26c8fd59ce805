-- Read replicas' read-your-writes (persistence/src/replicas.rs): each caller's write bumps their
-- mark in the same transaction; a replica whose mark equals the primary's has replayed that
-- caller's last write. Written on PostgreSQL only (SQLite has no replicas); kept in both trees
-- so that the schema stays one.
CREATE TABLE write_marks (
    writer TEXT PRIMARY KEY,
    seq BIGINT NOT NULL
);
