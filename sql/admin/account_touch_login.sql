-- Records an admin login: sets last_login_date, upgrades a legacy hash ($2 not null) and creates the
-- token if it is empty ($3). Returns the token. $1 admin id
UPDATE admin_users
SET last_login_date = now(),
    password = COALESCE($2, password),
    token = CASE WHEN token = '' THEN $3 ELSE token END
WHERE id = $1
RETURNING token
