-- One row the health endpoint rewrites, to tell a database that can still write
-- (disk space, locks, permissions) from one that can only be read.
CREATE TABLE health_check (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    checked_at TEXT NOT NULL
);
