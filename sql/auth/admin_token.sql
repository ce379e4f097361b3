-- The token of an enabled admin account (status 1) of a live company; admin login refuses the
-- others the same way. $1 id
SELECT a.token
FROM admin_users a JOIN companies co ON co.id = a.company_id
WHERE a.id = $1 AND a.status = 1 AND co.status <> 3
