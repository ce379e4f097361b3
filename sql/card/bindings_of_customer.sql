-- M11: radar users this customer is bound to, newest binding first.
SELECT u.id, u.username, b.source, u.avatar, co.name AS company, u.position, u.email,
       u.mingpian_phone, b.create_date
FROM customer_bindings b
JOIN radar_users u ON u.id = b.user_id
JOIN companies co ON co.id = u.company_id
WHERE b.customer_id = $1 AND u.status <> 3
ORDER BY b.create_date DESC, b.id DESC
