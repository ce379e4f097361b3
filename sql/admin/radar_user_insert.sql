-- A radar user created by an admin; disabled (status 2) until enabled.
-- $1 company, $2 username, $3 login name, $4 password hash, $5 token, $6 userid, $7 position,
-- $8 wechat_phone, $9 mingpian_phone, $10 wechat
INSERT INTO radar_users (company_id, username, login_user, password, token, userid, position,
                         wechat_phone, mingpian_phone, wechat, status)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 2)
RETURNING id
