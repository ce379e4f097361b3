-- The radar user of company $2 the customer $1 was most recently active with.
SELECT b.user_id FROM customer_bindings b JOIN radar_users u ON u.id = b.user_id
WHERE b.customer_id = $1 AND u.company_id = $2 AND u.status <> 3
ORDER BY b.last_activity_time DESC NULLS LAST, b.id DESC LIMIT 1
