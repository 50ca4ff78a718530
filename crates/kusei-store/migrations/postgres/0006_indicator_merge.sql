-- An indicator merged into another keeps its row (its name and id stay known: a later
-- import under the old name, or a published snapshot that names the old id, finds the
-- indicator it was merged into).
ALTER TABLE indicator ADD COLUMN merged_into BIGINT REFERENCES indicator(id);
CREATE INDEX indicator_merged ON indicator (merged_into);
