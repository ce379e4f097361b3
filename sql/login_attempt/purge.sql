-- Drops keys quiet for a day (neither failing nor blocked).
DELETE FROM login_attempts
WHERE last_failure < now() - interval '1 day' AND (blocked_until IS NULL OR blocked_until < now() - interval '1 day')
