-- Evidence documents (app/src/documents/): a file attached to the record it proves. The bytes
-- live in the object store under storage_key; this row is written only after they are stored
-- whole, so a row always has its bytes until it is purged (the bytes go, the row stays with who
-- purged it, when and why). Objects without a live row are orphans of a crash or of a purge whose
-- delete failed; the daily cleanup job removes them.
CREATE TABLE documents (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('cooperative', 'annual_report', 'ukm',
        'diagnosis', 'activity', 'recommendation', 'evaluation', 'dissolution_proposal')),
    owner_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    document_date DATE,
    -- Holds personal data: viewers never download it, assessors only through their cases.
    personal BOOLEAN NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    -- Hex SHA-256 of the bytes: the same file twice on one record is recognised.
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    purged_at TIMESTAMP,
    purge_reason TEXT
);

CREATE INDEX documents_by_owner ON documents (owner_kind, owner_id, id);
CREATE UNIQUE INDEX documents_same_file ON documents (owner_kind, owner_id, sha256)
    WHERE purged_at IS NULL;
