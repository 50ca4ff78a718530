-- A session also ends after a time without requests (its idle deadline, moved forward as
-- it is used); NULL for sessions made before, which keep only their absolute end.
ALTER TABLE session ADD COLUMN idle_until TEXT;
