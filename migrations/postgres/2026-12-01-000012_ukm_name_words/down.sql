DROP TABLE pending_backfills;
CREATE INDEX ukm_business_name_trgm_idx ON ukm USING gin (lower(business_name) gin_trgm_ops);
DROP TABLE ukm_name_words;
