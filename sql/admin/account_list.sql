-- A page of the admins of company $1, newest first. $2 limit (null = all), $3 offset
SELECT a.id, a.login_user, a.username, a.position, a.avatar, a.status, a.role_id,
       r.name AS role_name, a.company_id, co.name AS company_name, a.is_reset_password,
       a.create_date, a.last_login_date, count(*) OVER () AS total
FROM admin_users a
JOIN admin_roles r ON r.id = a.role_id
JOIN companies co ON co.id = a.company_id
WHERE a.company_id = $1
ORDER BY a.create_date DESC, a.id DESC
LIMIT $2 OFFSET $3
