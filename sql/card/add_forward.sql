UPDATE radar_users SET forward = forward + 1 WHERE id = $1
