-- The enabled radar users of a company, oldest first, at most 50 (the customer simulator's list).
-- $1 company
SELECT id, username, position FROM radar_users
WHERE company_id = $1 AND status = 1
ORDER BY id
LIMIT 50
