-- A customer as a radar user of their company sees them (the console's profile panel, New):
-- WeChat profile, phone, the pair's binding and the radar user's notes on the customer.
-- $1 radar user, $2 customer. No row unless both exist and share a company.
SELECT c.id, c.username, c.headimgurl, c.phone, c.city, c.province, c.country, c.user_type,
       c.create_date, b.source, b.create_date AS bound_at, b.last_activity_time,
       p.note_name, p.phone AS note_phone, p.company AS note_company, p.position AS note_position,
       p.mem
FROM customers c
JOIN radar_users u ON u.id = $1 AND u.company_id = c.company_id AND u.status <> 3
LEFT JOIN customer_bindings b ON b.user_id = u.id AND b.customer_id = c.id
LEFT JOIN customer_profiles p ON p.user_id = u.id AND p.customer_id = c.id
WHERE c.id = $2
