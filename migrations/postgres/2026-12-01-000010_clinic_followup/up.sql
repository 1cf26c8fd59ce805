-- The coaching clinic, part 2: recommendations and their capital, mentoring activities,
-- evaluations, outcomes and dissolution proposals (DOMAIN.md "Recommendation" to "Outcome").

-- What the team recommends on a final diagnosis. The capital columns are for `permodalan` only;
-- nothing is disbursed beyond what was approved.
CREATE TABLE recommendations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    diagnosis_id BIGINT NOT NULL REFERENCES diagnoses (id),
    kind TEXT NOT NULL CHECK (kind IN ('bimbingan', 'permodalan', 'motivasi', 'pelatihan', 'pendampingan', 'fasilitasi_legalitas', 'fasilitasi_pemasaran', 'digitalisasi', 'perbaikan_kelembagaan', 'penilaian_kesehatan_resmi', 'usul_pembubaran', 'lainnya')),
    description TEXT NOT NULL,
    responsible_expert_id BIGINT REFERENCES experts (id),
    responsible_partner_id BIGINT REFERENCES partners (id),
    responsible_user_id BIGINT REFERENCES users (id),
    due_on DATE,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'agreed', 'in_progress', 'done', 'not_done', 'rejected', 'cancelled')),
    financing_scheme TEXT CHECK (financing_scheme IN ('kur_super_mikro', 'kur_mikro', 'kur_kecil', 'lpdb_dana_bergulir', 'umi', 'bank_mitra', 'bpr', 'csr', 'apbd', 'hibah', 'lainnya')),
    bank_partner_id BIGINT REFERENCES partners (id),
    amount_requested BIGINT CHECK (amount_requested >= 0),
    amount_approved BIGINT CHECK (amount_approved >= 0),
    approved_on DATE,
    amount_disbursed BIGINT CHECK (amount_disbursed >= 0),
    disbursed_on DATE,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((kind = 'permodalan') = (financing_scheme IS NOT NULL)),
    CHECK (amount_disbursed IS NULL OR (amount_approved IS NOT NULL AND amount_disbursed <= amount_approved))
);
CREATE INDEX recommendations_case_idx ON recommendations (case_id, id);
CREATE INDEX recommendations_diagnosis_idx ON recommendations (diagnosis_id, id);
CREATE INDEX recommendations_status_idx ON recommendations (status, due_on);

-- The findings a recommendation answers (of its own diagnosis).
CREATE TABLE recommendation_findings (
    recommendation_id BIGINT NOT NULL REFERENCES recommendations (id),
    finding_id BIGINT NOT NULL REFERENCES findings (id),
    PRIMARY KEY (recommendation_id, finding_id)
);

-- Every status change of a recommendation, with who made it, when, and why.
CREATE TABLE recommendation_transitions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recommendation_id BIGINT NOT NULL REFERENCES recommendations (id),
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    note TEXT,
    actor_type TEXT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX recommendation_transitions_idx ON recommendation_transitions (recommendation_id, id);

-- Mentoring activities; the hours are an exact decimal kept as text (as assessment totals are).
CREATE TABLE mentoring_activities (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    held_on DATE NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('visit', 'training', 'consultation', 'financing_facilitation', 'licensing_facilitation', 'business_meeting')),
    hours TEXT NOT NULL,
    notes TEXT,
    recommendation_id BIGINT REFERENCES recommendations (id),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX mentoring_activities_case_idx ON mentoring_activities (case_id, held_on, id);

CREATE TABLE mentoring_activity_experts (
    activity_id BIGINT NOT NULL REFERENCES mentoring_activities (id),
    expert_id BIGINT NOT NULL REFERENCES experts (id),
    PRIMARY KEY (activity_id, expert_id)
);

-- Monitoring and evaluation. The indicators (baseline and current values, read from the
-- registries when the evaluation is recorded) are kept as JSON so that later corrections to the
-- registries never rewrite what the team saw.
CREATE TABLE evaluations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    evaluated_on DATE NOT NULL,
    indicators TEXT NOT NULL,
    conclusion TEXT NOT NULL CHECK (conclusion IN ('improved', 'unchanged', 'worse')),
    next_step TEXT NOT NULL CHECK (next_step IN ('continue_mentoring', 'close', 'propose_dissolution')),
    notes TEXT,
    recorded_by TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX evaluations_case_idx ON evaluations (case_id, id);

-- A closed case's outcome: computed by the named rule from the evidence kept beside it; an
-- admin's override keeps the computed value and the reason.
CREATE TABLE case_outcomes (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    outcome TEXT NOT NULL CHECK (outcome IN ('bagus', 'membaik', 'tetap', 'memburuk')),
    computed_outcome TEXT NOT NULL CHECK (computed_outcome IN ('bagus', 'membaik', 'tetap', 'memburuk')),
    rule_name TEXT NOT NULL,
    rule_version INTEGER NOT NULL,
    evidence TEXT NOT NULL,
    evaluation_id BIGINT NOT NULL REFERENCES evaluations (id),
    decided_on DATE NOT NULL,
    override_reason TEXT,
    overridden_by TEXT,
    overridden_at TIMESTAMP,
    CHECK ((override_reason IS NULL) = (overridden_at IS NULL))
);

-- A cooperative the clinic cannot cure, proposed for dissolution. The cooperative's status
-- override before the proposal is kept so that a rejection or withdrawal restores it.
CREATE TABLE dissolution_proposals (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives (id),
    status TEXT NOT NULL CHECK (status IN ('submitted', 'forwarded', 'approved', 'rejected', 'withdrawn')),
    note TEXT,
    previous_override TEXT,
    previous_override_reason TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX dissolution_proposals_status_idx ON dissolution_proposals (status, id);
-- One open proposal per cooperative.
CREATE UNIQUE INDEX dissolution_proposals_open_key ON dissolution_proposals (cooperative_id)
    WHERE status IN ('submitted', 'forwarded');

CREATE TABLE dissolution_proposal_reasons (
    proposal_id BIGINT NOT NULL REFERENCES dissolution_proposals (id),
    reason TEXT NOT NULL CHECK (reason IN ('no_rat_two_years', 'board_gone', 'no_business', 'address_not_found', 'no_response', 'other')),
    PRIMARY KEY (proposal_id, reason)
);

-- The day a transition took effect, when it is recorded later (paper records of past years);
-- the indicators date a closing by it.
ALTER TABLE case_transitions ADD COLUMN effective_on DATE;

-- The indicators count registered UKM by kelurahan, status and start year, and those reporting
-- a turnover by year: both from an index alone, not a scan of the wide UKM rows.
CREATE INDEX ukm_registry_counts_idx ON ukm (kelurahan_code, status, start_year) WHERE archived_at IS NULL;
CREATE INDEX ukm_yearly_figures_year_idx ON ukm_yearly_figures (year, ukm_id);

-- A partner bank's integration client reports capital only on its own bank's recommendations.
ALTER TABLE api_clients ADD COLUMN partner_id BIGINT REFERENCES partners (id);
