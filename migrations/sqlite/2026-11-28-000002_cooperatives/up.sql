-- The cooperative registry (DOMAIN.md "Cooperative"). Enumerations are TEXT with a CHECK so that both
-- backends hold the same values; the application checks them first and answers 422.
CREATE TABLE cooperatives (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    registration_number TEXT CONSTRAINT cooperatives_registration_number_key UNIQUE,
    name TEXT NOT NULL,
    legal_entity_number TEXT,
    legal_entity_date DATE,
    form TEXT NOT NULL CHECK (form IN ('primer', 'sekunder')),
    cooperative_type TEXT NOT NULL CHECK (cooperative_type IN ('simpan_pinjam', 'konsumen', 'produsen', 'pemasaran', 'jasa')),
    management_pattern TEXT NOT NULL CHECK (management_pattern IN ('konvensional', 'syariah')),
    savings_and_loan BOOLEAN NOT NULL,
    nib TEXT,
    npwp TEXT,
    membership_area TEXT NOT NULL CHECK (membership_area IN ('kota', 'lintas_kabupaten_kota', 'lintas_provinsi')),
    street TEXT,
    rt_rw TEXT,
    kelurahan_code TEXT NOT NULL REFERENCES kelurahan (code),
    postal_code TEXT,
    phone TEXT,
    email TEXT,
    computed_status TEXT NOT NULL CHECK (computed_status IN ('aktif', 'tidak_aktif', 'diusulkan_bubar', 'dibubarkan')),
    status_rule TEXT NOT NULL,
    status_override TEXT CHECK (status_override IN ('aktif', 'tidak_aktif', 'diusulkan_bubar', 'dibubarkan')),
    status_override_reason TEXT,
    status TEXT NOT NULL CHECK (status IN ('aktif', 'tidak_aktif', 'diusulkan_bubar', 'dibubarkan')),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    CHECK ((status_override IS NULL) = (status_override_reason IS NULL))
);

CREATE INDEX cooperatives_kelurahan_code_idx ON cooperatives (kelurahan_code);
CREATE INDEX cooperatives_status_idx ON cooperatives (status);
CREATE INDEX cooperatives_name_idx ON cooperatives (name, id);
CREATE INDEX cooperatives_created_at_idx ON cooperatives (created_at, id);
CREATE INDEX cooperatives_updated_at_idx ON cooperatives (updated_at, id);

-- Board members are personal data; they belong to one cooperative and are replaced as a list.
CREATE TABLE board_members (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('ketua', 'sekretaris', 'bendahara', 'pengawas', 'manajer')),
    name TEXT NOT NULL,
    term_start DATE,
    term_end DATE
);

CREATE INDEX board_members_cooperative_id_idx ON board_members (cooperative_id, position);

-- One annual report per cooperative and book year. Money is whole rupiah.
CREATE TABLE annual_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives (id) ON DELETE CASCADE,
    book_year INTEGER NOT NULL,
    rat_held BOOLEAN NOT NULL,
    rat_date DATE,
    reported_date DATE,
    members_male BIGINT,
    members_female BIGINT,
    managers BIGINT,
    employees BIGINT,
    own_capital BIGINT,
    outside_capital BIGINT,
    assets BIGINT,
    business_volume BIGINT,
    shu BIGINT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT annual_reports_cooperative_book_year_key UNIQUE (cooperative_id, book_year)
);
