-- The lease: the app's row locked until the transaction ends, so one WeChat fetch at a time across
-- all nodes; the caller then reads it with token_peek.sql. $1 appid.
SELECT 1 FROM wechat_access_tokens WHERE appid = $1 FOR UPDATE
