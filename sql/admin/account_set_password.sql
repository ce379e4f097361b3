-- Stores a new password hash and marks the password as reset. $1 admin id, $2 hash
UPDATE admin_users SET password = $2, is_reset_password = true WHERE id = $1
