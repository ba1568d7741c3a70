-- The regulatory issue desk: cases, their timeline, pauses of the service-level clock,
-- attachments, referrals between agencies, links, follow-up tasks, routing rules, service-level
-- targets, the holiday calendar, the public knowledge base and saved filters.

CREATE TABLE cases (
    id {id},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    -- NULL for cases loaded by an import or the demo seed rather than typed by a person.
    created_by BIGINT REFERENCES users(id),
    category TEXT NOT NULL,
    country TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    -- Money at stake in won, and the date by which the company needs an answer (optional).
    impact_krw BIGINT,
    deadline TEXT,
    status TEXT NOT NULL,
    waiting_on TEXT NOT NULL DEFAULT 'desk',
    priority TEXT NOT NULL DEFAULT 'normal',
    -- The agency holding the case (set by routing on submission) and its officer.
    agency_id BIGINT REFERENCES agencies(id),
    assignee_id BIGINT REFERENCES users(id),
    merged_into BIGINT REFERENCES cases(id),
    submitted_at TEXT,
    first_response_at TEXT,
    resolved_at TEXT,
    -- Denormalised clock, kept by the service on every change so queues can filter and sort in
    -- SQL: due dates (KST, already pushed by closed pauses), business days paused so far, and
    -- the date the open pause began.
    due_on TEXT,
    first_response_due_on TEXT,
    paused_business_days BIGINT NOT NULL DEFAULT 0,
    paused_since TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_agency_status ON cases (agency_id, status, due_on);
CREATE INDEX cases_company ON cases (company_id, id);
CREATE INDEX cases_assignee ON cases (assignee_id, status);
CREATE INDEX cases_status_due ON cases (status, due_on);

CREATE TABLE case_products (
    case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    hs_code TEXT NOT NULL,
    PRIMARY KEY (case_id, hs_code)
);

-- The timeline. `internal` entries (officers' notes) never reach the company.
CREATE TABLE case_events (
    id {id},
    case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    actor_id BIGINT REFERENCES users(id),
    actor_agency_id BIGINT REFERENCES agencies(id),
    at TEXT NOT NULL,
    from_value TEXT,
    to_value TEXT,
    body TEXT NOT NULL DEFAULT '',
    internal BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX case_events_case ON case_events (case_id, id);

CREATE TABLE case_pauses (
    id {id},
    case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    waiting_on TEXT NOT NULL,
    started_on TEXT NOT NULL,
    ended_on TEXT
);
CREATE INDEX case_pauses_case ON case_pauses (case_id, id);

CREATE TABLE case_attachments (
    id {id},
    case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    event_id BIGINT REFERENCES case_events(id),
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    uploaded_by BIGINT NOT NULL REFERENCES users(id),
    internal BOOLEAN NOT NULL DEFAULT FALSE,
    at TEXT NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments (case_id, id);

CREATE TABLE case_referrals (
    id {id},
    case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    from_agency_id BIGINT NOT NULL REFERENCES agencies(id),
    to_agency_id BIGINT NOT NULL REFERENCES agencies(id),
    -- 'whole': the receiving agency takes the case over; 'part': it works on a part and the
    -- holder keeps the case.
    scope TEXT NOT NULL,
    note TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    decided_by BIGINT REFERENCES users(id),
    decided_at TEXT
);
CREATE INDEX case_referrals_case ON case_referrals (case_id);
CREATE INDEX case_referrals_to ON case_referrals (to_agency_id, status);

CREATE TABLE case_links (
    case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    other_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    created_by BIGINT REFERENCES users(id),
    at TEXT NOT NULL,
    PRIMARY KEY (case_id, other_id)
);

CREATE TABLE case_followups (
    id {id},
    case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    description TEXT NOT NULL,
    due_on TEXT NOT NULL,
    done_at TEXT,
    done_by BIGINT REFERENCES users(id),
    outcome TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX case_followups_agency ON case_followups (agency_id, done_at, due_on);

-- Every change to a case or a knowledge-base entry, so each node's search index catches up.
CREATE TABLE case_changes (
    id {id},
    kind TEXT NOT NULL,
    ref_id BIGINT NOT NULL,
    at TEXT NOT NULL
);

-- Routing: the first matching row (lowest position) names the agency queue. NULL matches all.
CREATE TABLE routing_rules (
    id {id},
    position BIGINT NOT NULL,
    category TEXT,
    country TEXT,
    hs_prefix TEXT,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    created_at TEXT NOT NULL
);

-- Service-level targets in business days; the most specific row wins. NULL matches all.
CREATE TABLE sla_targets (
    id {id},
    priority TEXT,
    category TEXT,
    first_response_days BIGINT NOT NULL,
    resolution_days BIGINT NOT NULL
);

CREATE TABLE holidays (
    day TEXT PRIMARY KEY,
    name_ko TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE kb_entries (
    id {id},
    case_id BIGINT REFERENCES cases(id),
    category TEXT NOT NULL,
    country TEXT NOT NULL,
    hs_codes TEXT NOT NULL DEFAULT '',
    title_ko TEXT NOT NULL,
    title_en TEXT NOT NULL,
    summary_ko TEXT NOT NULL,
    summary_en TEXT NOT NULL,
    -- draft → pending (submitted for approval) → published, or back to draft with a note.
    status TEXT NOT NULL,
    drafted_by BIGINT NOT NULL REFERENCES users(id),
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    reviewed_by BIGINT REFERENCES users(id),
    review_note TEXT NOT NULL DEFAULT '',
    illustrative BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    published_at TEXT
);
CREATE INDEX kb_entries_status ON kb_entries (status, published_at);

CREATE TABLE saved_filters (
    id {id},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- One daily SLA digest per agency and day, whichever node sends it first.
CREATE TABLE sla_digests (
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    day TEXT NOT NULL,
    PRIMARY KEY (agency_id, day)
);
