-- What a list shows of a published version (title, period, family, unit, item count),
-- written when it is published, so that lists never read a working copy for the public
-- and never decode every snapshot. Rows of versions published before this migration are
-- filled from their snapshots by the first start after it.
CREATE TABLE published_summary (
    plan_id  BIGINT NOT NULL,
    version  BIGINT NOT NULL,
    summary  TEXT   NOT NULL,
    PRIMARY KEY (plan_id, version)
);
