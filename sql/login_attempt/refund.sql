-- Gives back one reserved attempt of key $1 (the login succeeded, or its password was never checked),
-- and lifts the key's block when the count is below the limit $2 again (a block this very attempt
-- set as it reached the limit).
UPDATE login_attempts SET
    failures = greatest(failures - 1, 0),
    blocked_until = CASE WHEN failures - 1 < $2 THEN NULL ELSE blocked_until END
WHERE key = $1
