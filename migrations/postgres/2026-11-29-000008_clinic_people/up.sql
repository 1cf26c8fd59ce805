-- The coaching clinic, part 1: who takes part (partners, experts), the programmes, and the
-- health-assessment instruments (DOMAIN.md "The coaching clinic").

CREATE TABLE partners (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('university', 'bank', 'bpr', 'dekopinda', 'association', 'government_unit', 'other')),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP
);
CREATE INDEX partners_name_idx ON partners (name, id);

-- Members of diagnosis teams, mentors and speakers. Phone and e-mail are personal data.
CREATE TABLE experts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    full_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('akademisi', 'praktisi', 'perbankan', 'dekopinda', 'staf_dinas', 'konsultan')),
    partner_id BIGINT REFERENCES partners (id),
    phone TEXT,
    email TEXT,
    user_id BIGINT CONSTRAINT experts_user_id_key UNIQUE REFERENCES users (id),
    active BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP
);
CREATE INDEX experts_name_idx ON experts (full_name, id);
CREATE INDEX experts_partner_id_idx ON experts (partner_id);

-- An expert's areas of expertise, as problem categories.
CREATE TABLE expert_expertise (
    expert_id BIGINT NOT NULL REFERENCES experts (id),
    category TEXT NOT NULL CHECK (category IN ('kelembagaan', 'tata_kelola_rat', 'manajemen', 'sdm', 'keuangan_akuntansi', 'permodalan', 'kinerja_usaha', 'pemasaran', 'produksi', 'legalitas_perizinan', 'digitalisasi', 'motivasi', 'risiko_pinjaman', 'lainnya')),
    PRIMARY KEY (expert_id, category)
);
CREATE INDEX expert_expertise_category_idx ON expert_expertise (category, expert_id);

-- Versioned instruments: a definition (aspects, components, scoring rules, cut-offs) as JSON that
-- the domain validates. A version is never changed once stored; assessments refer to it.
CREATE TABLE instruments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('cooperative', 'ukm')),
    source TEXT,
    definition TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT instruments_code_version_key UNIQUE (code, version)
);

-- A yearly cohort of the clinic with its targets.
CREATE TABLE programmes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    year INTEGER NOT NULL,
    target_cooperatives_helped INTEGER NOT NULL,
    target_cooperatives_good INTEGER NOT NULL,
    target_ukm_helped INTEGER,
    target_ukm_good INTEGER,
    horizon_years INTEGER NOT NULL CHECK (horizon_years BETWEEN 5 AND 7),
    default_instrument_id BIGINT REFERENCES instruments (id),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP
);
CREATE INDEX programmes_year_idx ON programmes (year, id);

CREATE TABLE programme_funders (
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    PRIMARY KEY (programme_id, partner_id)
);
