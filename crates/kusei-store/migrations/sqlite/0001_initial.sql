-- Kusei initial schema (SQLite). Never edit after it shipped: add a new migration.
-- Keys are integers; every table that is read "per unit", "per year" or "per indicator"
-- has an index that starts with those columns (a later issue loads ~1.7M initiatives).

CREATE TABLE municipality (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,       -- 全国地方公共団体コード (6 digits)
    name        TEXT    NOT NULL,
    settings    TEXT    NOT NULL DEFAULT '{}', -- JSON: judgment scale, thresholds, form variants
    is_sample   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE unit (
    id              INTEGER PRIMARY KEY,
    municipality_id INTEGER NOT NULL REFERENCES municipality(id),
    parent_id       INTEGER REFERENCES unit(id),
    kind            TEXT    NOT NULL CHECK (kind IN ('city','ward','bureau','division','section')),
    name            TEXT    NOT NULL,
    phone           TEXT,
    fax             TEXT,
    duties          TEXT,
    position        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX unit_by_parent ON unit (municipality_id, parent_id, position);
CREATE UNIQUE INDEX unit_unique_name ON unit (municipality_id, COALESCE(parent_id, 0), name);

CREATE TABLE source_document (
    id             INTEGER PRIMARY KEY,
    sha256         TEXT    NOT NULL UNIQUE,
    file_name      TEXT    NOT NULL,
    family         TEXT    NOT NULL,
    encoding       TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    imported_at    TEXT    NOT NULL,
    diagnostics    TEXT    NOT NULL DEFAULT '[]'
);

CREATE TABLE plan (
    id                 INTEGER PRIMARY KEY,
    unit_id            INTEGER NOT NULL REFERENCES unit(id),
    fy_start           INTEGER NOT NULL,
    fy_end             INTEGER NOT NULL,
    family             TEXT    NOT NULL,
    title              TEXT    NOT NULL,
    level_names        TEXT    NOT NULL DEFAULT '[]', -- JSON array, top level first
    status             TEXT    NOT NULL DEFAULT 'draft'
                       CHECK (status IN ('draft','submitted','approved','published')),
    version            INTEGER NOT NULL DEFAULT 1,
    source_document_id INTEGER REFERENCES source_document(id),
    is_sample          INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    CHECK (fy_start <= fy_end)
);
CREATE UNIQUE INDEX plan_unique ON plan (unit_id, family, fy_start, fy_end, title);
CREATE INDEX plan_by_year ON plan (fy_start, unit_id);

CREATE TABLE node (
    id            INTEGER PRIMARY KEY,
    plan_id       INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,               -- document order within the plan
    level         TEXT    NOT NULL,
    number        TEXT,
    title         TEXT    NOT NULL,
    subtitle      TEXT,
    marks         TEXT    NOT NULL DEFAULT '[]',  -- JSON array
    owner_unit_id INTEGER REFERENCES unit(id),
    source_line   INTEGER,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX node_by_plan ON node (plan_id, position);
CREATE INDEX node_by_owner ON node (owner_unit_id);

-- Hierarchy as edges, so a node can sit under several parents (再掲) without a copy.
CREATE TABLE node_link (
    plan_id   INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    parent_id INTEGER NOT NULL REFERENCES node(id) ON DELETE CASCADE,
    child_id  INTEGER NOT NULL REFERENCES node(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    kind      TEXT    NOT NULL CHECK (kind IN ('primary','repeat')),
    PRIMARY KEY (parent_id, child_id),
    CHECK (parent_id <> child_id)
);
CREATE INDEX node_link_by_plan ON node_link (plan_id);
CREATE INDEX node_link_by_child ON node_link (child_id);

CREATE TABLE section (
    node_id  INTEGER NOT NULL REFERENCES node(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    phase    TEXT    NOT NULL CHECK (phase IN ('plan','review','evaluation')),
    heading  TEXT    NOT NULL,
    body     TEXT    NOT NULL,
    PRIMARY KEY (node_id, position)
);

CREATE TABLE indicator (
    id              INTEGER PRIMARY KEY,
    municipality_id INTEGER NOT NULL REFERENCES municipality(id),
    name            TEXT    NOT NULL,
    unit            TEXT    NOT NULL,
    direction       TEXT    NOT NULL CHECK (direction IN ('higher','lower')),
    definition      TEXT,
    source          TEXT,
    is_common       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (municipality_id, name)
);
CREATE INDEX indicator_common ON indicator (municipality_id, is_common);

-- unit_id is denormalised from node → plan so per-unit/per-indicator reads need no join.
CREATE TABLE target (
    id           INTEGER PRIMARY KEY,
    node_id      INTEGER NOT NULL REFERENCES node(id) ON DELETE CASCADE,
    unit_id      INTEGER NOT NULL REFERENCES unit(id),
    indicator_id INTEGER REFERENCES indicator(id),
    position     INTEGER NOT NULL,
    fy_start     INTEGER,
    fy_end       INTEGER,
    value        REAL,
    measure_unit TEXT,
    comparator   TEXT CHECK (comparator IN ('at_least','more_than','at_most','less_than','maintain','equal')),
    text         TEXT    NOT NULL,
    detail       TEXT    NOT NULL DEFAULT '{}'  -- JSON: relative definition, resolution, parts
);
CREATE INDEX target_by_node ON target (node_id, position);
CREATE INDEX target_by_indicator ON target (indicator_id, fy_start, unit_id);
CREATE INDEX target_by_unit ON target (unit_id, fy_start);

CREATE TABLE actual (
    id           INTEGER PRIMARY KEY,
    node_id      INTEGER REFERENCES node(id) ON DELETE CASCADE,
    unit_id      INTEGER NOT NULL REFERENCES unit(id),
    indicator_id INTEGER REFERENCES indicator(id),
    position     INTEGER NOT NULL DEFAULT 0,
    fiscal_year  INTEGER,
    value        REAL,
    measure_unit TEXT,
    as_of        TEXT,                           -- ISO date when the figure is interim
    text         TEXT    NOT NULL
);
CREATE INDEX actual_by_node ON actual (node_id, position);
CREATE INDEX actual_by_indicator ON actual (indicator_id, fiscal_year, unit_id);
CREATE INDEX actual_by_unit ON actual (unit_id, fiscal_year);

CREATE TABLE review (
    node_id        INTEGER NOT NULL REFERENCES node(id) ON DELETE CASCADE,
    fiscal_year    INTEGER NOT NULL,
    implementation TEXT CHECK (implementation IN ('expected','not_expected')),
    achievement    TEXT CHECK (achievement IN ('on_track','off_track')),
    remedy         TEXT,
    PRIMARY KEY (node_id, fiscal_year)
);

CREATE TABLE evaluation (
    node_id         INTEGER NOT NULL REFERENCES node(id) ON DELETE CASCADE,
    fiscal_year     INTEGER NOT NULL,
    results         TEXT    NOT NULL,
    stated_judgment TEXT    NOT NULL CHECK (stated_judgment IN ('achieved','not_achieved','undetermined','unknown')),
    remedy          TEXT,
    PRIMARY KEY (node_id, fiscal_year)
);

CREATE TABLE milestone (
    id         INTEGER PRIMARY KEY,
    node_id    INTEGER NOT NULL REFERENCES node(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    date_from  TEXT,        -- 'YYYY-MM' or 'FY2006'
    date_to    TEXT,
    open_ended INTEGER NOT NULL DEFAULT 0,
    text       TEXT    NOT NULL
);
CREATE INDEX milestone_by_node ON milestone (node_id, position);

CREATE TABLE opinion (
    id         INTEGER PRIMARY KEY,
    plan_id    INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    node_id    INTEGER REFERENCES node(id) ON DELETE CASCADE,
    author     TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    response   TEXT,
    status     TEXT    NOT NULL DEFAULT 'open',
    created_at TEXT    NOT NULL
);
CREATE INDEX opinion_by_plan ON opinion (plan_id);

CREATE TABLE app_user (
    id                   INTEGER PRIMARY KEY,
    login                TEXT    NOT NULL UNIQUE,
    display_name         TEXT    NOT NULL,
    password_hash        TEXT    NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         TEXT,
    created_at           TEXT    NOT NULL
);

CREATE TABLE role_assignment (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    role    TEXT    NOT NULL,
    unit_id INTEGER REFERENCES unit(id)
);
CREATE UNIQUE INDEX role_unique ON role_assignment (user_id, role, COALESCE(unit_id, 0));

-- Append-only history of every change to plan data: who, when, before, after (JSON).
CREATE TABLE change_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    entity    TEXT    NOT NULL,
    entity_id INTEGER NOT NULL,
    action    TEXT    NOT NULL CHECK (action IN ('create','update','delete')),
    before    TEXT,
    after     TEXT
);
CREATE INDEX change_by_entity ON change_log (entity, entity_id, id);

CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log
BEGIN
    SELECT RAISE(ABORT, 'change_log is append-only');
END;
CREATE TRIGGER change_log_no_delete BEFORE DELETE ON change_log
BEGIN
    SELECT RAISE(ABORT, 'change_log is append-only');
END;
