-- The enabled radar user of company $1 with the fewest bindings (new customers spread evenly).
SELECT u.id FROM radar_users u
LEFT JOIN customer_bindings b ON b.user_id = u.id
WHERE u.company_id = $1 AND u.status = 1
GROUP BY u.id ORDER BY count(b.id), u.id LIMIT 1
