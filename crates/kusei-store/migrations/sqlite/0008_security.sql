-- Sign-in throttling: one row per key (a login, a client address, or both), counting the
-- attempts since the last success; blocked_until is when the next attempt is allowed.
CREATE TABLE sign_in_throttle (
    key           TEXT    PRIMARY KEY,
    attempts      BIGINT  NOT NULL,
    blocked_until TEXT,
    updated_at    TEXT    NOT NULL
);

-- A user can be disabled (no sign-in, no session) and re-enabled; a one-time password
-- expires.
ALTER TABLE app_user ADD COLUMN disabled_at TEXT;
ALTER TABLE app_user ADD COLUMN password_expires_at TEXT;

-- The security event log: sign-ins, throttling, user and role changes, password resets,
-- publications. Never a password or a token.
CREATE TABLE security_event (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    kind    TEXT NOT NULL,
    login   TEXT,
    actor   TEXT,
    address TEXT,
    -- The municipality the event concerns (a user's, a plan's); NULL for system-wide
    -- ones (an unknown login, a system administrator), which only a system administrator
    -- reads.
    municipality_id BIGINT,
    detail  TEXT NOT NULL
);
CREATE INDEX security_event_at ON security_event (at);
CREATE INDEX security_event_municipality ON security_event (municipality_id, at);

-- Secrets the server keeps (the key that signs pre-session tokens), shared by every
-- instance on the database.
CREATE TABLE server_secret (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Uploaded documents waiting for the user to confirm an import (any instance can confirm).
CREATE TABLE import_preview (
    token_hash TEXT   PRIMARY KEY,
    owner      TEXT   NOT NULL,
    file_name  TEXT   NOT NULL,
    bytes      BLOB  NOT NULL,
    size       BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX import_preview_owner ON import_preview (owner);
