-- A token fresh from WeChat. $1 appid, $2 token, $3 seconds it is used, $4 fetched with force_refresh.
UPDATE wechat_access_tokens
SET access_token = $2, refresh_after = now() + make_interval(secs => $3::float8),
    forced_at = CASE WHEN $4 THEN now() ELSE forced_at END,
    failed_until = NULL, last_error = NULL, updated_at = now()
WHERE appid = $1
