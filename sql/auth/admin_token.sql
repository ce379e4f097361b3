SELECT token FROM admin_users WHERE id = $1 AND status = 1
