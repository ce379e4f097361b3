-- Releases lock.sql's lock.
SELECT pg_advisory_unlock(8241979162759096679)
