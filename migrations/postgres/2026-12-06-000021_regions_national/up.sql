-- Any region of Indonesia (docs/domain.md, "Regions"). The two upper levels get tables of their
-- own; a region's parent is the prefix of its code, so no column repeats it. The whole national
-- list ships with the binary; start-up adds the configured area's rows that are missing, and
-- `klinik regions apply` brings in a new Kepmendagri list. A region that a newer list no longer
-- has is retired, not deleted: records that name it still read, new ones may not.
CREATE TABLE provinces (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    retired_at TIMESTAMP
);

CREATE TABLE kabupaten_kota (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    retired_at TIMESTAMP
);

INSERT INTO provinces (code, name) VALUES ('32', 'Jawa Barat');
INSERT INTO kabupaten_kota (code, name) VALUES ('32.71', 'Kota Bogor');

ALTER TABLE kecamatan ADD COLUMN retired_at TIMESTAMP;
-- The national list has no postal codes: a village it brings in has an empty one until an
-- operator adds it (SQLite cannot drop NOT NULL from a table others reference; both trees agree).
ALTER TABLE kelurahan ADD COLUMN retired_at TIMESTAMP;

-- Each list applied, for the operators' record.
CREATE TABLE region_lists (
    id BIGSERIAL PRIMARY KEY,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    applied_at TIMESTAMP NOT NULL,
    added INTEGER NOT NULL,
    renamed INTEGER NOT NULL,
    retired INTEGER NOT NULL,
    restored INTEGER NOT NULL
);

-- The UKM list of a kabupaten/kota (a province's deployment filters by it), read like the
-- kecamatan's (migration 000011): a derived column and an index in list order.
ALTER TABLE ukm ADD COLUMN kabupaten_kota_code TEXT NOT NULL GENERATED ALWAYS AS (substr(kelurahan_code, 1, 5)) STORED;
CREATE INDEX ukm_kabupaten_kota_sector_name_idx ON ukm (kabupaten_kota_code, sector, business_name, id)
    WHERE archived_at IS NULL;
