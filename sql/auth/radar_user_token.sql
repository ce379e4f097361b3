SELECT token FROM radar_users WHERE id = $1 AND status <> 3
