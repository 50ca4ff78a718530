-- A role is scoped to the whole system (system_admin), one municipality, or one unit.
-- municipality_id is also kept for unit scopes (the unit's municipality), so a
-- municipality's users are one indexed read.
ALTER TABLE role_assignment ADD COLUMN municipality_id BIGINT REFERENCES municipality(id);

UPDATE role_assignment
   SET municipality_id = (SELECT u.municipality_id FROM unit u WHERE u.id = role_assignment.unit_id)
 WHERE unit_id IS NOT NULL;

-- The first-start administrator (login 'admin') becomes the system administrator.
UPDATE role_assignment SET role = 'system_admin'
 WHERE role = 'city_admin' AND unit_id IS NULL
   AND user_id IN (SELECT id FROM app_user WHERE login = 'admin');

-- Every other role without a unit meant "the whole city": with exactly one municipality
-- that city is known. With several, such rows stay without a scope and grant nothing
-- until a system administrator scopes them (see ARCHITECTURE.md).
UPDATE role_assignment
   SET municipality_id = (SELECT MIN(id) FROM municipality)
 WHERE role <> 'system_admin' AND unit_id IS NULL AND municipality_id IS NULL
   AND (SELECT COUNT(*) FROM municipality) = 1;

DROP INDEX role_unique;
CREATE UNIQUE INDEX role_unique_scope
    ON role_assignment (user_id, role, COALESCE(unit_id, 0), COALESCE(municipality_id, 0));
CREATE INDEX role_by_municipality ON role_assignment (municipality_id);
