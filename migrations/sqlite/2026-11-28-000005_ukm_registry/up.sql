-- Size-class thresholds per regulation (reference data: regulations change). Whole rupiah, upper
-- bounds inclusive.
CREATE TABLE size_thresholds (
    regulation TEXT PRIMARY KEY,
    effective_from DATE NOT NULL,
    capital_mikro BIGINT NOT NULL,
    capital_kecil BIGINT NOT NULL,
    capital_menengah BIGINT NOT NULL,
    sales_mikro BIGINT NOT NULL,
    sales_kecil BIGINT NOT NULL,
    sales_menengah BIGINT NOT NULL
);

INSERT INTO size_thresholds VALUES
    ('UU 20/2008', '2008-07-04', 50000000, 500000000, 10000000000, 300000000, 2500000000, 50000000000),
    ('PP 7/2021', '2021-02-02', 1000000000, 5000000000, 10000000000, 2000000000, 15000000000, 50000000000);

-- People (UKM owners, later board members): personal data under UU PDP 27/2022. The NIK is stored
-- only encrypted (AES-256-GCM) and as a keyed hash for exact-match search; a dump reveals neither.
CREATE TABLE persons (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    full_name TEXT NOT NULL,
    nik_encrypted TEXT,
    nik_hash TEXT CONSTRAINT persons_nik_hash_key UNIQUE,
    sex TEXT CHECK (sex IN ('laki_laki', 'perempuan')),
    birth_date DATE,
    phone TEXT,
    home_address TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- The UKM registry (DOMAIN.md "UKM").
CREATE TABLE ukm (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    business_name TEXT NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES persons (id),
    nib TEXT CONSTRAINT ukm_nib_key UNIQUE,
    kbli_code TEXT,
    kbli_version TEXT CHECK (kbli_version IN ('2020', '2025')),
    sector TEXT NOT NULL CHECK (sector IN ('culinary', 'fashion', 'craft', 'services', 'trade', 'creative_economy', 'agriculture', 'other')),
    business_capital BIGINT,
    annual_sales BIGINT,
    figures_date DATE,
    size_class TEXT CHECK (size_class IN ('mikro', 'kecil', 'menengah', 'besar')),
    size_basis TEXT CHECK (size_basis IN ('annual_sales', 'capital')),
    size_regulation TEXT,
    workers BIGINT,
    start_year INTEGER,
    has_pirt BOOLEAN NOT NULL,
    has_halal BOOLEAN NOT NULL,
    has_standard_certificate BOOLEAN NOT NULL,
    npwp TEXT,
    street TEXT,
    kelurahan_code TEXT NOT NULL REFERENCES kelurahan (code),
    cooperative_id BIGINT REFERENCES cooperatives (id),
    status TEXT NOT NULL CHECK (status IN ('aktif', 'tidak_aktif', 'tidak_diketahui')),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP
);

CREATE INDEX ukm_owner_id_idx ON ukm (owner_id);
CREATE INDEX ukm_kelurahan_code_idx ON ukm (kelurahan_code, sector);
CREATE INDEX ukm_sector_idx ON ukm (sector);
CREATE INDEX ukm_cooperative_id_idx ON ukm (cooperative_id);
CREATE INDEX ukm_business_name_idx ON ukm (business_name, id);

-- Yearly business figures, to measure growth.
CREATE TABLE ukm_yearly_figures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ukm_id BIGINT NOT NULL REFERENCES ukm (id),
    year INTEGER NOT NULL,
    turnover BIGINT,
    workers BIGINT,
    assets BIGINT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT ukm_yearly_figures_ukm_year_key UNIQUE (ukm_id, year)
);
