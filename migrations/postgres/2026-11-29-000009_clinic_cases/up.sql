-- The coaching clinic, part 1: cases and their history, diagnoses with findings and scores, and
-- clinic sessions (DOMAIN.md "Case", "Diagnosis", "Clinic session").

-- One cooperative or UKM in one programme. Exactly one of cooperative_id / ukm_id is set, as
-- subject_kind says.
CREATE TABLE cases (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('cooperative', 'ukm')),
    cooperative_id BIGINT REFERENCES cooperatives (id),
    ukm_id BIGINT REFERENCES ukm (id),
    referral_source TEXT NOT NULL CHECK (referral_source IN ('office_initiative', 'own_request', 'partner', 'supervision_finding')),
    status TEXT NOT NULL CHECK (status IN ('registered', 'screened', 'diagnosing', 'recommending', 'mentoring', 'evaluating', 'closed', 'rejected', 'withdrawn', 'dissolution_proposed')),
    registered_on DATE NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((subject_kind = 'cooperative' AND cooperative_id IS NOT NULL AND ukm_id IS NULL)
        OR (subject_kind = 'ukm' AND ukm_id IS NOT NULL AND cooperative_id IS NULL))
);
CREATE INDEX cases_programme_idx ON cases (programme_id, status);
CREATE INDEX cases_registered_on_idx ON cases (registered_on, id);
-- One open case per subject per programme; closed, rejected, withdrawn or dissolution-proposed
-- cases do not count.
CREATE UNIQUE INDEX cases_open_cooperative_key ON cases (programme_id, cooperative_id)
    WHERE cooperative_id IS NOT NULL AND status NOT IN ('closed', 'rejected', 'withdrawn', 'dissolution_proposed');
CREATE UNIQUE INDEX cases_open_ukm_key ON cases (programme_id, ukm_id)
    WHERE ukm_id IS NOT NULL AND status NOT IN ('closed', 'rejected', 'withdrawn', 'dissolution_proposed');

-- The diagnosis team (one lead) and the mentors.
CREATE TABLE case_members (
    case_id BIGINT NOT NULL REFERENCES cases (id),
    expert_id BIGINT NOT NULL REFERENCES experts (id),
    duty TEXT NOT NULL CHECK (duty IN ('team', 'mentor')),
    is_lead BOOLEAN NOT NULL,
    PRIMARY KEY (case_id, duty, expert_id)
);
CREATE INDEX case_members_expert_idx ON case_members (expert_id, case_id);

-- Every transition, with who made it, when, and why.
CREATE TABLE case_transitions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    action TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    note TEXT,
    actor_type TEXT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_transitions_case_idx ON case_transitions (case_id, id);

-- A diagnosis: a draft the team edits, then final and immutable. An amendment is a new diagnosis
-- that supersedes a final one; both stay readable. The health assessment keeps the instrument
-- version, the inputs and the result, so a later instrument version never rewrites it.
CREATE TABLE diagnoses (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    sequence INTEGER NOT NULL,
    supersedes_id BIGINT REFERENCES diagnoses (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'final')),
    diagnosed_on DATE NOT NULL,
    summary TEXT,
    instrument_id BIGINT REFERENCES instruments (id),
    assessment_inputs TEXT,
    assessment_result TEXT,
    assessment_total TEXT,
    assessment_predicate TEXT CHECK (assessment_predicate IN ('sehat', 'cukup_sehat', 'dalam_pengawasan', 'dalam_pengawasan_khusus')),
    finalized_at TIMESTAMP,
    finalized_by TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT diagnoses_case_sequence_key UNIQUE (case_id, sequence)
);
CREATE INDEX diagnoses_case_idx ON diagnoses (case_id, status);

-- The "diseases" a diagnosis finds, in the order given.
CREATE TABLE findings (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    diagnosis_id BIGINT NOT NULL REFERENCES diagnoses (id),
    position INTEGER NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('kelembagaan', 'tata_kelola_rat', 'manajemen', 'sdm', 'keuangan_akuntansi', 'permodalan', 'kinerja_usaha', 'pemasaran', 'produksi', 'legalitas_perizinan', 'digitalisasi', 'motivasi', 'risiko_pinjaman', 'lainnya')),
    severity TEXT NOT NULL CHECK (severity IN ('ringan', 'sedang', 'berat')),
    description TEXT NOT NULL
);
CREATE INDEX findings_diagnosis_idx ON findings (diagnosis_id, position);

-- Each team member's own aspect scores on a diagnosis.
CREATE TABLE diagnosis_member_scores (
    diagnosis_id BIGINT NOT NULL REFERENCES diagnoses (id),
    expert_id BIGINT NOT NULL REFERENCES experts (id),
    instrument_id BIGINT NOT NULL REFERENCES instruments (id),
    inputs TEXT NOT NULL,
    result TEXT NOT NULL,
    total TEXT NOT NULL,
    predicate TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (diagnosis_id, expert_id)
);

-- Who agreed with a final diagnosis.
CREATE TABLE diagnosis_agreements (
    diagnosis_id BIGINT NOT NULL REFERENCES diagnoses (id),
    expert_id BIGINT NOT NULL REFERENCES experts (id),
    PRIMARY KEY (diagnosis_id, expert_id)
);

-- Clinic sessions (events) with their speakers, the experts present and the cases that attend.
CREATE TABLE clinic_sessions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    starts_at TIMESTAMP NOT NULL,
    venue TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('sosialisasi', 'diagnosa', 'pelatihan', 'pendampingan', 'monev')),
    notes TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX clinic_sessions_programme_idx ON clinic_sessions (programme_id, starts_at);

CREATE TABLE clinic_session_experts (
    session_id BIGINT NOT NULL REFERENCES clinic_sessions (id),
    expert_id BIGINT NOT NULL REFERENCES experts (id),
    duty TEXT NOT NULL CHECK (duty IN ('speaker', 'present')),
    PRIMARY KEY (session_id, duty, expert_id)
);

CREATE TABLE clinic_session_cases (
    session_id BIGINT NOT NULL REFERENCES clinic_sessions (id),
    case_id BIGINT NOT NULL REFERENCES cases (id),
    present BOOLEAN NOT NULL,
    PRIMARY KEY (session_id, case_id)
);
