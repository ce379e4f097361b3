-- Adds a radar user to departments. $1 radar user, $2 department ids
INSERT INTO radar_user_departments (user_id, department_id)
SELECT $1, d FROM unnest($2::bigint[]) AS d
ON CONFLICT DO NOTHING
