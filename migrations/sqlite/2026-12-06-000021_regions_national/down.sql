DROP INDEX ukm_kabupaten_kota_sector_name_idx;
ALTER TABLE ukm DROP COLUMN kabupaten_kota_code;
DROP TABLE region_lists;
ALTER TABLE kelurahan DROP COLUMN retired_at;
ALTER TABLE kecamatan DROP COLUMN retired_at;
DROP TABLE kabupaten_kota;
DROP TABLE provinces;
