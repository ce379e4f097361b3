-- Serialises migration runs of several nodes starting at once (released by unlock.sql, or when
-- the session ends). The key is arbitrary but fixed: ASCII "radarmig".
SELECT pg_advisory_lock(8241979162759096679)
