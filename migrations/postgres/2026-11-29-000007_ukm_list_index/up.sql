-- The UKM list filtered by sector is read in name order: with the sector first, the first page
-- comes from walking this index instead of sorting every match (bench/RESULTS.md). It covers the
-- queries of the sector-only index it replaces.
CREATE INDEX ukm_sector_name_idx ON ukm (sector, business_name, id);
DROP INDEX ukm_sector_idx;
