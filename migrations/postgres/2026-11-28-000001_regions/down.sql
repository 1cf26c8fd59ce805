DROP TABLE kelurahan;
DROP TABLE kecamatan;
