SELECT count(*) FROM customer_subscribe_grants
WHERE customer_id = $1 AND template_id = $2 AND used_at IS NULL
