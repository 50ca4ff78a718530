-- 区政会議: the ward council's meetings, and the opinions of its members with the
-- ward's answers and how each was reflected. An opinion belongs to a ward (unit) and a
-- fiscal year (when it was given, or the meeting's), so a ward's year is one indexed read.
-- 部会: a ward council's subcommittees, and which members belong to each.
CREATE TABLE council_group (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES unit(id),
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX council_group_name ON council_group (unit_id, name);
CREATE TABLE council_group_member (
    group_id    INTEGER NOT NULL REFERENCES council_group(id) ON DELETE CASCADE,
    login       TEXT NOT NULL,
    PRIMARY KEY (group_id, login)
);

CREATE TABLE council_meeting (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES unit(id),
    fiscal_year INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('plenary', 'subcommittee')),
    name        TEXT NOT NULL,
    held_on     TEXT NOT NULL,
    agenda      TEXT NOT NULL DEFAULT '',
    attendance  INTEGER,
    minutes     TEXT NOT NULL DEFAULT '',
    plan_id     INTEGER REFERENCES plan(id),
    -- The 部会 a subcommittee meeting is of.
    group_id    INTEGER REFERENCES council_group(id),
    -- The minutes as a file (a PDF or a document), besides the text.
    minutes_file_name TEXT,
    minutes_file      BLOB,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX council_meeting_by_unit ON council_meeting (unit_id, fiscal_year, held_on);

-- Whether a ward lets section editors answer the opinions on their own items.
CREATE TABLE council_setting (
    unit_id          INTEGER PRIMARY KEY REFERENCES unit(id),
    section_answers  INTEGER NOT NULL DEFAULT 0
);

-- The opinion table is rebuilt: an opinion on an item no longer disappears with the
-- item (node_id is kept without a foreign key; an item restored under its own id finds
-- its opinions again), and it gains the columns of the council's work.
CREATE TABLE opinion_new (
    id                  INTEGER PRIMARY KEY,
    plan_id             INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    node_id             INTEGER,
    author              TEXT    NOT NULL,
    body                TEXT    NOT NULL,
    -- The ward's answer (対応方針).
    response            TEXT,
    status              TEXT    NOT NULL DEFAULT 'open',
    created_at          TEXT    NOT NULL,
    unit_id             INTEGER,
    fiscal_year         INTEGER,
    category            TEXT    NOT NULL DEFAULT 'opinion',
    rating              TEXT,
    meeting_id          INTEGER REFERENCES council_meeting(id),
    -- Entered by ward staff from the minutes: the member's name as written (or 委員),
    -- and who entered it. NULL: the member wrote it in Kusei (author is their login).
    member_name         TEXT,
    entered_by          TEXT,
    -- The member agreed that their name is published with the opinion.
    name_public         INTEGER NOT NULL DEFAULT 0,
    reflection          TEXT,
    reason              TEXT,
    reflected_node_id   INTEGER,
    reflected_note      TEXT,
    reported_meeting_id INTEGER REFERENCES council_meeting(id),
    answered_by         TEXT,
    answered_at         TEXT,
    published_by        TEXT,
    published_at        TEXT,
    -- The answer as it was published (JSON): what the public reads, kept while a
    -- changed answer waits for its next publication.
    published_answer    TEXT,
    version             INTEGER NOT NULL DEFAULT 1
);
INSERT INTO opinion_new (id, plan_id, node_id, author, body, response, status, created_at)
    SELECT id, plan_id, node_id, author, body, response, status, created_at FROM opinion;
DROP TABLE opinion;
ALTER TABLE opinion_new RENAME TO opinion;
CREATE INDEX opinion_by_plan ON opinion (plan_id);
UPDATE opinion SET unit_id = (SELECT p.unit_id FROM plan p WHERE p.id = opinion.plan_id),
    fiscal_year = (SELECT p.fy_start FROM plan p WHERE p.id = opinion.plan_id);
CREATE INDEX opinion_by_unit_year ON opinion (unit_id, fiscal_year, id);
CREATE INDEX opinion_by_node ON opinion (node_id);
CREATE INDEX opinion_by_reflection ON opinion (reflected_node_id);
