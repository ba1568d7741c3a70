-- Programs: one catalog of every agency's support programs, each kept as immutable versions;
-- applications and their states; awards that later rules read; stored decisions; in-app
-- notifications; facts a company may add beyond its profile.

CREATE TABLE programs (
    id {id},
    key TEXT NOT NULL UNIQUE,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    family TEXT NOT NULL,
    category TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- A version is never changed once published: a change is a new version. Drafts are edited in
-- place until they are published.
CREATE TABLE program_versions (
    id {id},
    program_id BIGINT NOT NULL REFERENCES programs(id),
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    title_ko TEXT NOT NULL,
    title_en TEXT NOT NULL,
    summary_ko TEXT NOT NULL,
    summary_en TEXT NOT NULL,
    benefit_krw BIGINT,
    copay_pct INTEGER,
    apply_from TEXT,
    apply_to TEXT,
    effective_from TEXT NOT NULL,
    effective_to TEXT,
    target_stages TEXT NOT NULL DEFAULT '',
    documents_ko TEXT NOT NULL DEFAULT '',
    documents_en TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    capacity INTEGER,
    illustrative BOOLEAN NOT NULL DEFAULT FALSE,
    rule_text TEXT,
    rule_json TEXT,
    source_json TEXT,
    content_hash TEXT NOT NULL,
    created_by BIGINT,
    created_at TEXT NOT NULL,
    published_by BIGINT,
    published_at TEXT,
    UNIQUE (program_id, version)
);
CREATE INDEX program_versions_status ON program_versions (status);

CREATE TABLE program_tests (
    id {id},
    program_id BIGINT NOT NULL REFERENCES programs(id),
    name TEXT NOT NULL,
    case_json TEXT NOT NULL,
    created_by BIGINT,
    created_at TEXT NOT NULL
);

CREATE TABLE applications (
    id {id},
    program_id BIGINT NOT NULL REFERENCES programs(id),
    version_id BIGINT NOT NULL REFERENCES program_versions(id),
    company_id BIGINT NOT NULL REFERENCES companies(id),
    status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    decision_id BIGINT,
    created_by BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX applications_company ON applications (company_id);
CREATE INDEX applications_program ON applications (program_id, status);

CREATE TABLE application_events (
    id {id},
    application_id BIGINT NOT NULL REFERENCES applications(id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_id BIGINT,
    note TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX application_events_app ON application_events (application_id);

CREATE TABLE awards (
    id {id},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    program_id BIGINT NOT NULL REFERENCES programs(id),
    family TEXT NOT NULL,
    category TEXT NOT NULL,
    awarded_on TEXT NOT NULL,
    application_id BIGINT,
    created_at TEXT NOT NULL
);
CREATE INDEX awards_company ON awards (company_id);

-- A decision as it was made: the program version and its content hash, the date, the
-- outcome, the failing requirements and a snapshot of the facts, so that the explanation can
-- be shown again exactly as it was.
CREATE TABLE decisions (
    id {id},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    version_id BIGINT NOT NULL REFERENCES program_versions(id),
    content_hash TEXT NOT NULL,
    as_of TEXT NOT NULL,
    outcome TEXT NOT NULL,
    failing TEXT NOT NULL,
    missing TEXT NOT NULL,
    facts_json TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX decisions_company ON decisions (company_id);

CREATE TABLE notifications (
    id {id},
    user_id BIGINT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, read_at);

CREATE TABLE company_facts (
    company_id BIGINT NOT NULL REFERENCES companies(id),
    fact TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, fact)
);

-- Bumped by every publication, so that running nodes reload their compiled catalog.
CREATE TABLE catalog_version (
    id INTEGER PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 1);
