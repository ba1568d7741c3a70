-- Vetted local experts (law firms, accountants, consultants, notaries) per country, and the
-- consultations companies book with them on a step of their plan.

CREATE TABLE experts (
    id {id},
    country TEXT NOT NULL,
    -- law_firm, accountant, consultant, notary
    kind TEXT NOT NULL,
    name_ko TEXT NOT NULL,
    name_en TEXT NOT NULL,
    city TEXT NOT NULL DEFAULT '',
    -- Space-separated keys (establishment, tax, labour, licensing, customs, ip…).
    specialties TEXT NOT NULL DEFAULT '',
    -- Space-separated ISO 639-1 codes; `ko` means Korean-speaking.
    languages TEXT NOT NULL DEFAULT '',
    -- Indicative fee range per hour, whole US dollars.
    fee_min_usd BIGINT,
    fee_max_usd BIGINT,
    contact_email TEXT NOT NULL,
    description_ko TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    -- submitted, verified, suspended
    status TEXT NOT NULL DEFAULT 'submitted',
    status_note TEXT NOT NULL DEFAULT '',
    verified_by_agency BIGINT REFERENCES agencies(id),
    verified_by BIGINT REFERENCES users(id),
    verified_at TEXT,
    endorsed_by_agency BIGINT REFERENCES agencies(id),
    coi_declaration TEXT NOT NULL DEFAULT '',
    coi_declared_at TEXT,
    -- The expert's own account (role `expert`), when they have one.
    user_id BIGINT UNIQUE REFERENCES users(id),
    illustrative BOOLEAN NOT NULL DEFAULT FALSE,
    row_version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX experts_country ON experts (country, status);

CREATE TABLE consultations (
    id {id},
    expert_id BIGINT NOT NULL REFERENCES experts(id),
    company_id BIGINT NOT NULL REFERENCES companies(id),
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    step_key TEXT NOT NULL,
    requested_by BIGINT REFERENCES users(id),
    -- requested, accepted, declined, done, cancelled
    status TEXT NOT NULL DEFAULT 'requested',
    message TEXT NOT NULL,
    preferred_date TEXT,
    -- A support program (voucher) the company pays the consultation with, if any.
    voucher_program_id BIGINT REFERENCES programs(id),
    response_note TEXT NOT NULL DEFAULT '',
    -- 1 to 5, only once the engagement is done, only by the company.
    rating BIGINT,
    review TEXT NOT NULL DEFAULT '',
    rated_at TEXT,
    requested_at TEXT NOT NULL,
    accepted_at TEXT,
    done_at TEXT,
    updated_at TEXT NOT NULL,
    row_version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX consultations_expert ON consultations (expert_id, status);
CREATE INDEX consultations_company ON consultations (company_id, id);
