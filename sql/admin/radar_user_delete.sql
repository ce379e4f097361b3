-- Logically deletes a live radar user (status 3). $1 id
UPDATE radar_users SET status = 3 WHERE id = $1 AND status <> 3
