-- Names of the radar user's tags on these customers (tag type = customer's user_type), newest first.
SELECT l.customer_id, t.name
FROM customer_tag_links l JOIN customer_tags t ON t.id = l.tag_id
JOIN customers c ON c.id = l.customer_id
WHERE t.user_id = $1 AND l.customer_id = ANY($2) AND t.tag_type = c.user_type
ORDER BY l.create_date DESC, t.id DESC
