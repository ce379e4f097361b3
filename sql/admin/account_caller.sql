-- The signed admin's company, role and login name; nothing for a disabled admin or a deleted
-- company. $1 admin id
SELECT a.company_id, a.role_id, a.login_user
FROM admin_users a JOIN companies co ON co.id = a.company_id
WHERE a.id = $1 AND a.status = 1 AND co.status <> 3
