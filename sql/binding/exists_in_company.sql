-- Any binding of customer $1 to a radar user of company $2 (companies.is_customer_unique).
SELECT 1 FROM customer_bindings b JOIN radar_users u ON u.id = b.user_id
WHERE b.customer_id = $1 AND u.company_id = $2 LIMIT 1
