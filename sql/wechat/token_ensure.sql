-- Creates the app's lease row if missing, so it can be locked. $1 appid.
INSERT INTO wechat_access_tokens (appid) VALUES ($1) ON CONFLICT (appid) DO NOTHING
