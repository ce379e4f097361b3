-- The newest migration applied (refinery's history), 0 on an empty database; /readyz compares it
-- with the newest migration this binary embeds.
SELECT coalesce(max(version), 0)::int8 AS version FROM refinery_schema_history
