-- Foundation: reference data, agencies, users, companies, consent, sessions, tokens, audit, jobs.
-- Timestamps are ISO 8601 UTC text; dates are YYYY-MM-DD text: both sort correctly on both engines.

CREATE TABLE countries (
    alpha2 TEXT PRIMARY KEY,
    alpha3 TEXT NOT NULL,
    name_en TEXT NOT NULL,
    name_ko TEXT NOT NULL,
    region TEXT NOT NULL DEFAULT '',
    currency TEXT NOT NULL DEFAULT ''
);

CREATE TABLE hs_codes (
    code TEXT PRIMARY KEY,
    level INTEGER NOT NULL,
    parent TEXT,
    name_en TEXT NOT NULL DEFAULT '',
    name_ko TEXT NOT NULL DEFAULT ''
);

CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    iso TEXT NOT NULL,
    name_ko TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE ksic (
    code TEXT PRIMARY KEY,
    level TEXT NOT NULL,
    parent TEXT,
    name_ko TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE export_stages (
    code TEXT PRIMARY KEY,
    min_usd BIGINT NOT NULL,
    name_ko TEXT NOT NULL,
    name_en TEXT NOT NULL,
    source TEXT NOT NULL
);

CREATE TABLE size_rules (
    ksic_section TEXT PRIMARY KEY,
    micro_employees_below BIGINT NOT NULL,
    small_max_revenue_krw BIGINT NOT NULL,
    medium_max_revenue_krw BIGINT NOT NULL,
    source TEXT NOT NULL
);

CREATE TABLE agencies (
    id {id},
    code TEXT NOT NULL UNIQUE,
    name_ko TEXT NOT NULL,
    name_en TEXT NOT NULL,
    kind TEXT NOT NULL
);

CREATE TABLE companies (
    id {id},
    brn TEXT NOT NULL UNIQUE,
    name_ko TEXT NOT NULL,
    name_en TEXT,
    region TEXT NOT NULL REFERENCES regions(code),
    ksic TEXT NOT NULL REFERENCES ksic(code),
    ksic_section TEXT NOT NULL,
    founded_on TEXT NOT NULL,
    employees BIGINT NOT NULL,
    revenue_krw BIGINT NOT NULL,
    exports_usd BIGINT NOT NULL,
    export_stage TEXT NOT NULL,
    size_class TEXT NOT NULL,
    consent_version TEXT,
    consent_at TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX companies_name_ko ON companies (name_ko);
CREATE INDEX companies_region_stage ON companies (region, export_stage);
CREATE INDEX companies_ksic ON companies (ksic_section, ksic);
CREATE INDEX companies_stage ON companies (export_stage);

CREATE TABLE company_products (
    company_id BIGINT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    hs_code TEXT NOT NULL,
    PRIMARY KEY (company_id, hs_code)
);
CREATE INDEX company_products_code ON company_products (hs_code, company_id);

CREATE TABLE company_countries (
    company_id BIGINT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    country TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (company_id, kind, country)
);
CREATE INDEX company_countries_country ON company_countries (country, company_id);

CREATE TABLE company_changes (
    id {id},
    company_id BIGINT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    user_id BIGINT,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX company_changes_company ON company_changes (company_id, id);

CREATE TABLE consents (
    id {id},
    company_id BIGINT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    -- NULL when recorded by an import or the demo seed rather than by a person.
    user_id BIGINT,
    terms_version TEXT NOT NULL,
    granted BOOLEAN NOT NULL,
    at TEXT NOT NULL
);

CREATE TABLE users (
    id {id},
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    agency_id BIGINT REFERENCES agencies(id),
    company_id BIGINT REFERENCES companies(id),
    locale TEXT NOT NULL DEFAULT 'ko',
    email_confirmed BOOLEAN NOT NULL DEFAULT FALSE,
    confirm_token_hash TEXT,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL
);
CREATE INDEX users_company ON users (company_id);

CREATE TABLE invitations (
    id {id},
    company_id BIGINT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    invited_by BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    accepted_at TEXT
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id {id},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

CREATE TABLE login_attempts (
    id {id},
    ip TEXT NOT NULL,
    email TEXT NOT NULL,
    at TEXT NOT NULL,
    ok BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_ip ON login_attempts (ip, at);

CREATE TABLE audit_log (
    id {id},
    at TEXT NOT NULL,
    user_id BIGINT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE jobs (
    id {id},
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts BIGINT NOT NULL DEFAULT 0,
    run_at TEXT NOT NULL,
    locked_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX jobs_due ON jobs (status, run_at);
