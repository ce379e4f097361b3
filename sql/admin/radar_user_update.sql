-- Updates a live radar user's card fields; null $3..$6 keep the stored value.
-- $1 id, $2 username, $3 position, $4 wechat_phone, $5 mingpian_phone, $6 wechat
UPDATE radar_users
SET username = $2, position = COALESCE($3, position), wechat_phone = COALESCE($4, wechat_phone),
    mingpian_phone = COALESCE($5, mingpian_phone), wechat = COALESCE($6, wechat)
WHERE id = $1 AND status <> 3
