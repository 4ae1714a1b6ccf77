-- Flows: the draft document lives on the flow; published versions are immutable rows.
CREATE TABLE flows (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    folder            TEXT,
    draft             TEXT NOT NULL,
    enabled           INTEGER NOT NULL DEFAULT 0,
    published_version INTEGER,
    draft_changed     INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX flows_folder ON flows (folder);

CREATE TABLE flow_versions (
    flow_id    TEXT NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    document   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (flow_id, version)
);

-- Sample data per step, from the last test run, for the editor's data picker.
CREATE TABLE flow_samples (
    flow_id    TEXT NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
    step_id    TEXT NOT NULL,
    data       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (flow_id, step_id)
);

-- Runs: stored (with the raw request) before a webhook is acknowledged.
CREATE TABLE runs (
    id              TEXT PRIMARY KEY,
    flow_id         TEXT NOT NULL,
    version         INTEGER,           -- NULL: a test run of the draft
    status          TEXT NOT NULL,     -- queued, running, paused, succeeded, failed, cancelled
    trigger         TEXT NOT NULL,     -- the trigger's output (JSON)
    raw_method      TEXT,
    raw_headers     TEXT,
    raw_query       TEXT,
    raw_body        BLOB,
    idempotency_key TEXT,
    resume_token    TEXT NOT NULL,
    resume          TEXT,              -- pending resumes: {path: {"kind", "body"?}}
    error           TEXT,
    response        TEXT,
    output          TEXT,
    pauses          TEXT,
    wake_at         INTEGER,           -- unix ms: when a paused run must be looked at again
    claimed_by      TEXT,
    lease_until     INTEGER,           -- unix ms
    executions      INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    started_at      TEXT,
    finished_at     TEXT,
    duration_ms     REAL
);
CREATE UNIQUE INDEX runs_idempotency ON runs (flow_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX runs_status_created ON runs (status, created_at);
CREATE INDEX runs_flow_created ON runs (flow_id, created_at);
CREATE INDEX runs_wake ON runs (wake_at) WHERE wake_at IS NOT NULL;
CREATE INDEX runs_lease ON runs (lease_until) WHERE status = 'running';
CREATE INDEX runs_resume_token ON runs (resume_token);

-- The journal: each step's record, by path (`contact`, `each_lead[3].contact`).
CREATE TABLE run_steps (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    path   TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (run_id, path)
) WITHOUT ROWID;
