-- Records a login; upgrades a legacy password hash when $2 is not null.
UPDATE radar_users SET last_login_date = now(), password = COALESCE($2, password) WHERE id = $1
