-- Whether an admin login name is in use. $1 login name
SELECT EXISTS (SELECT 1 FROM admin_users WHERE login_user = $1)
