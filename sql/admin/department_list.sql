-- Company $1's departments.
SELECT id, name, parent_id FROM departments WHERE company_id = $1 ORDER BY id
