-- Every staff page counts the work waiting for its viewer (plans to approve, publish or
-- resubmit): plans not yet published are few beside the archive, so they are read by
-- status through this index, never by scanning every plan.
CREATE INDEX plan_by_status ON plan (status, unit_id);
