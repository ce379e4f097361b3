-- WeChat failed: nobody asks again for $2 seconds (the token kept, if any, stays). $1 appid, $3 why.
UPDATE wechat_access_tokens
SET failed_until = now() + make_interval(secs => $2::float8), last_error = $3, updated_at = now()
WHERE appid = $1
