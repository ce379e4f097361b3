-- Sets the switches of a live radar user; null keeps the stored value.
-- $1 id, $2 status, $3 boss_status, $4 article_admin_status (each 1 启用 / 2 未启用)
UPDATE radar_users
SET status = COALESCE($2, status), boss_status = COALESCE($3, boss_status),
    article_admin_status = COALESCE($4, article_admin_status)
WHERE id = $1 AND status <> 3
