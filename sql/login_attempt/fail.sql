-- Counts one failed login for key $1. A key quiet for the window ($2 seconds since its last failure
-- or the end of its block) starts again at 1. Returns the count. $1 key, $2 window seconds
INSERT INTO login_attempts AS a (key, failures, last_failure)
VALUES ($1, 1, now())
ON CONFLICT (key) DO UPDATE SET
    failures = CASE
        WHEN greatest(a.last_failure, a.blocked_until) < now() - make_interval(secs => $2::float8)
        THEN 1 ELSE a.failures + 1 END,
    last_failure = now()
RETURNING failures
