-- Whether any of the keys (login name, client address) is blocked now. $1 keys
SELECT EXISTS (SELECT 1 FROM login_attempts WHERE key = ANY($1) AND blocked_until > now())
