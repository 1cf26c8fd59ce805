DROP INDEX ukm_kecamatan_sector_name_idx;
ALTER TABLE ukm DROP COLUMN kecamatan_code;
