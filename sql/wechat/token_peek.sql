-- The app's shared access token as every node sees it, without locking. $1 appid.
-- fresh: usable now; failing: WeChat failed recently (negative cache); secs_left: until refresh_after.
SELECT access_token,
       access_token IS NOT NULL AND refresh_after > now() AS fresh,
       failed_until IS NOT NULL AND failed_until > now() AS failing,
       last_error,
       GREATEST(extract(epoch FROM refresh_after - now()), 0)::float8 AS secs_left,
       GREATEST(extract(epoch FROM failed_until - now()), 0)::float8 AS retry_in,
       forced_at IS NOT NULL AND forced_at > now() - interval '30 seconds' AS forced_recently
FROM wechat_access_tokens WHERE appid = $1
