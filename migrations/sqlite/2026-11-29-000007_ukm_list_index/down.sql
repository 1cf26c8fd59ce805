CREATE INDEX ukm_sector_idx ON ukm (sector);
DROP INDEX ukm_sector_name_idx;
