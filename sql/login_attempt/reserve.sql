-- Reserves one login attempt of key $1 before its password is checked: counts it as a failure at
-- once (a successful or unchecked attempt gives it back, `refund.sql`), so concurrent attempts each
-- get their own count and no more than the limit are ever checked. Answers no row while the key is
-- blocked. A key quiet for the window ($2 seconds since its last failure or the end of its block)
-- starts again at 1. Returns the count, and whether the key had been blocked before (a block that
-- has ended: the next attempt gets its one check). $1 key, $2 window seconds
INSERT INTO login_attempts AS a (key, failures, last_failure)
VALUES ($1, 1, now())
ON CONFLICT (key) DO UPDATE SET
    failures = CASE
        WHEN greatest(a.last_failure, a.blocked_until) < now() - make_interval(secs => $2::float8)
        THEN 1 ELSE a.failures + 1 END,
    last_failure = now()
WHERE a.blocked_until IS NULL OR a.blocked_until <= now()
RETURNING failures, a.blocked_until IS NOT NULL AS served_block
