-- A back-office account (admin UI, `radar admin bootstrap`, the demo).
-- $1 login name, $2 display name, $3 password hash, $4 company, $5 role, $6 token, $7 position
INSERT INTO admin_users (login_user, username, password, company_id, role_id, token, position)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id
