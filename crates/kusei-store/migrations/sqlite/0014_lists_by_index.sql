-- Lists paged by keyset, never "every plan": the plans of the country newest year
-- first (/api/v1/plans, open data), and a unit's plans by year (its pages, the
-- item page's years, the references of relative targets).
CREATE INDEX plan_by_end ON plan (fy_end, id);
CREATE INDEX plan_by_unit ON plan (unit_id, fy_end, id);
