-- Claims the pair's notification slot (one per $3 seconds, across all nodes). A row = claimed.
UPDATE customer_bindings SET last_template_at = now()
WHERE user_id = $1 AND customer_id = $2
  AND (last_template_at IS NULL OR last_template_at < now() - make_interval(secs => $3::float8))
RETURNING id
