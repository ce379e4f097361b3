-- Whether a chat notification (action 0) goes out: same rules as RecordAction, no row written.
SELECT c.username AS customer_name
FROM customers c, radar_users u
JOIN companies co ON co.id = u.company_id
WHERE c.id = $2 AND u.id = $1 AND c.username IS NOT NULL
  AND (co.account_expired_time IS NULL OR co.account_expired_time >= now())
