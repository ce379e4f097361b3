-- The token of an enabled radar user (status 1) of a live company. A disabled (2) or deleted (3)
-- user, or one whose company is deleted, has none: every signed request answers token异常. $1 id
SELECT u.token
FROM radar_users u JOIN companies co ON co.id = u.company_id
WHERE u.id = $1 AND u.status = 1 AND co.status <> 3
