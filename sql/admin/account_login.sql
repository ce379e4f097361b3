-- An admin account by login name, with its role and company, as admin login needs it. $1 login name
SELECT a.id, a.password, a.token, a.status, a.username, a.avatar, a.last_login_date,
       a.is_reset_password, a.company_id, a.role_id, r.name AS role_name,
       co.name AS company_name, co.status AS company_status, co.account_expired_time,
       co.wechat_qr_code
FROM admin_users a
JOIN admin_roles r ON r.id = a.role_id
JOIN companies co ON co.id = a.company_id
WHERE a.login_user = $1
