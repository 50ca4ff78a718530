-- Notifications: reminders before a window closes and the workflow's events, one row per
-- event and person (event_key is unique, so two server instances that see the same event
-- record it once). Every row is shown in the person's inbox; where an SMTP server is
-- configured it is also mailed, by whichever instance holds the row's lease.
ALTER TABLE app_user ADD COLUMN email TEXT;

CREATE TABLE notification (
    id              INTEGER PRIMARY KEY,
    event_key       TEXT    NOT NULL UNIQUE,
    user_id         INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    municipality_id INTEGER REFERENCES municipality(id),
    kind            TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    -- The subject as English pages show it in the inbox (mail is in Japanese).
    subject_en      TEXT    NOT NULL DEFAULT '',
    link            TEXT,
    created_at      TEXT    NOT NULL,
    -- pending (to be mailed), sent, failed (gave up), unmailed (no SMTP or no address).
    mail_state      TEXT    NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_owner     TEXT,
    lease_until     TEXT,
    sent_at         TEXT,
    last_error      TEXT
);
CREATE INDEX notification_by_user ON notification (user_id, created_at);
CREATE INDEX notification_to_mail ON notification (mail_state, id);

-- Jobs that one instance at a time runs (the reminder scan): whoever holds the lease.
CREATE TABLE job_lease (
    name  TEXT NOT NULL PRIMARY KEY,
    owner TEXT NOT NULL,
    until TEXT NOT NULL
);

-- 共通指標: the survey question a share of residents is asked with (世論調査, 区民アンケート).
CREATE TABLE indicator_question (
    indicator_id INTEGER NOT NULL PRIMARY KEY REFERENCES indicator(id) ON DELETE CASCADE,
    question     TEXT    NOT NULL
);
