-- Sign-in sessions, the city's schedule, the approval workflow and published versions.

-- A session is known by the SHA-256 of its cookie token; the token itself is never stored.
CREATE TABLE session (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    csrf       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL
);
CREATE INDEX session_by_user ON session (user_id);

-- When the plan, mid-year review and year-end evaluation are open (dates inclusive).
CREATE TABLE schedule_window (
    municipality_id INTEGER NOT NULL REFERENCES municipality(id),
    fiscal_year     INTEGER NOT NULL,
    phase           TEXT    NOT NULL CHECK (phase IN ('plan','review','evaluation')),
    opens_on        TEXT    NOT NULL,
    closes_on       TEXT    NOT NULL,
    PRIMARY KEY (municipality_id, fiscal_year, phase),
    CHECK (opens_on <= closes_on)
);

-- Submit / approve / return / publish, with the comment of a return.
CREATE TABLE plan_decision (
    id       INTEGER PRIMARY KEY,
    plan_id  INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    version  INTEGER NOT NULL,
    action   TEXT    NOT NULL CHECK (action IN ('submit','approve','return','publish')),
    actor    TEXT    NOT NULL,
    comment  TEXT,
    at       TEXT    NOT NULL
);
CREATE INDEX plan_decision_by_plan ON plan_decision (plan_id, id);

-- A published version is a snapshot of the whole plan; it never changes.
CREATE TABLE plan_version (
    plan_id      INTEGER NOT NULL REFERENCES plan(id),
    version      INTEGER NOT NULL,
    published_at TEXT    NOT NULL,
    published_by TEXT    NOT NULL,
    snapshot     TEXT    NOT NULL,
    PRIMARY KEY (plan_id, version)
);
CREATE TRIGGER plan_version_no_update BEFORE UPDATE ON plan_version
BEGIN
    SELECT RAISE(ABORT, 'a published version never changes');
END;
CREATE TRIGGER plan_version_no_delete BEFORE DELETE ON plan_version
BEGIN
    SELECT RAISE(ABORT, 'a published version never changes');
END;

-- Why a stated judgment differs from the figures (判定の理由).
ALTER TABLE evaluation ADD COLUMN explanation TEXT;

-- Lock-out bookkeeping already lives on app_user (failed_logins, locked_until).
