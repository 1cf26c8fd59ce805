CREATE TABLE imports_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('cooperatives', 'annual_reports', 'ukm', 'yearly_figures')),
    file_name TEXT NOT NULL,
    file_format TEXT NOT NULL CHECK (file_format IN ('csv', 'xlsx')),
    dry_run BOOLEAN NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('validated', 'applied', 'rejected')),
    rows_read BIGINT NOT NULL,
    to_create BIGINT NOT NULL,
    to_update BIGINT NOT NULL,
    unchanged BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    problems TEXT NOT NULL,
    actor_type TEXT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT,
    request_id TEXT,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO imports_new SELECT * FROM imports WHERE kind <> 'economy_years';
DROP TABLE imports;
ALTER TABLE imports_new RENAME TO imports;
CREATE INDEX imports_created_at_idx ON imports (created_at, id);
