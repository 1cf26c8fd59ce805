-- The UKM list filtered by kecamatan and sector (the office's usual view: an area's businesses of
-- one sector), read in name order. A kelurahan's code begins with its kecamatan's eight characters
-- (32.71.01.1001 lies in 32.71.01; checked at start), so the kecamatan is a column the database
-- derives: the first page is the index's first entries, and the capped count reads the index
-- alone (bench/RESULTS.md). SQLite adds only VIRTUAL generated columns to a table; indexed, that
-- serves the same.
ALTER TABLE ukm ADD COLUMN kecamatan_code TEXT NOT NULL GENERATED ALWAYS AS (substr(kelurahan_code, 1, 8)) VIRTUAL;
CREATE INDEX ukm_kecamatan_sector_name_idx ON ukm (kecamatan_code, sector, business_name, id)
    WHERE archived_at IS NULL;
