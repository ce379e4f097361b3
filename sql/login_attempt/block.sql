-- Refuses key $1 for the next $2 seconds.
UPDATE login_attempts SET blocked_until = now() + make_interval(secs => $2::float8) WHERE key = $1
