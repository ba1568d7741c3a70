-- The navigator for setting up abroad: country playbooks kept as versions (an officer of the
-- responsible agency drafts, another reviews and publishes), and each company's plans built
-- from them: the checklist with what really happened, notes, evidence files, and the record of
-- which steps a newer playbook version changed.

CREATE TABLE playbooks (
    id {id},
    country TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    -- The agency whose officers keep this playbook current.
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    -- The version number companies see; NULL until the first one is published.
    published_version BIGINT,
    created_at TEXT NOT NULL,
    UNIQUE (country, entity_type)
);

-- A published version is never changed: a change is a new version. Drafts are edited in place.
CREATE TABLE playbook_versions (
    id {id},
    playbook_id BIGINT NOT NULL REFERENCES playbooks(id),
    version BIGINT NOT NULL,
    -- draft, in_review, published, superseded
    status TEXT NOT NULL,
    -- The whole playbook as JSON (domain::playbook::Playbook).
    body TEXT NOT NULL,
    -- What the editor changed and why, shown to reviewers and to companies.
    change_note TEXT NOT NULL DEFAULT '',
    review_note TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    submitted_by BIGINT REFERENCES users(id),
    reviewed_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    published_at TEXT,
    row_version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (playbook_id, version)
);

CREATE TABLE plans (
    id {id},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    playbook_id BIGINT NOT NULL REFERENCES playbooks(id),
    -- The playbook version the checklist follows; moves on when a newer one is published.
    version BIGINT NOT NULL,
    country TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    start_on TEXT NOT NULL,
    target_open_on TEXT,
    -- open, closed
    status TEXT NOT NULL DEFAULT 'open',
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    row_version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX plans_company ON plans (company_id, id);
CREATE INDEX plans_playbook ON plans (playbook_id, status);

CREATE TABLE plan_steps (
    plan_id BIGINT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    step_key TEXT NOT NULL,
    -- todo, in_progress, done, blocked
    status TEXT NOT NULL DEFAULT 'todo',
    blocked_reason TEXT NOT NULL DEFAULT '',
    started_on TEXT,
    done_on TEXT,
    -- The step left the playbook in a later version; kept for its history and files.
    removed BOOLEAN NOT NULL DEFAULT FALSE,
    -- The regulatory desk case opened from this step, if any.
    case_id BIGINT REFERENCES cases(id),
    updated_by BIGINT REFERENCES users(id),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (plan_id, step_key)
);

CREATE TABLE plan_notes (
    id {id},
    plan_id BIGINT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    step_key TEXT NOT NULL,
    author_id BIGINT REFERENCES users(id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX plan_notes_plan ON plan_notes (plan_id, id);

-- Evidence files; the bytes live under the files folder by a random name.
CREATE TABLE plan_files (
    id {id},
    plan_id BIGINT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    step_key TEXT NOT NULL,
    file_name TEXT NOT NULL,
    stored_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    uploaded_by BIGINT REFERENCES users(id),
    uploaded_at TEXT NOT NULL
);
CREATE INDEX plan_files_plan ON plan_files (plan_id, id);

-- What a newer playbook version changed for an open plan (JSON list of step changes), until
-- the company has seen it.
CREATE TABLE plan_updates (
    id {id},
    plan_id BIGINT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    from_version BIGINT NOT NULL,
    to_version BIGINT NOT NULL,
    changes TEXT NOT NULL,
    change_note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    seen_at TEXT
);
CREATE INDEX plan_updates_plan ON plan_updates (plan_id, id);
