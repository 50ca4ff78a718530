-- A unit can be retired (廃止): it stays in the history and on the items it owned, but
-- is no longer offered for new plans, roles or 担当. NULL: in use.
ALTER TABLE unit ADD COLUMN retired_at TEXT;
-- A municipality can be removed (the sample, once a city starts its own): it disappears
-- from every list and its published versions are withdrawn from the public. Published
-- versions never change, so they are kept, marked withdrawn by their plan.
ALTER TABLE municipality ADD COLUMN removed_at TEXT;
ALTER TABLE plan ADD COLUMN withdrawn_at TEXT;
