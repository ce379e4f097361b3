-- The pair's oldest radar message still unread by the customer, and how many seconds ago it was
-- sent (the offline check waits until it is `delay_secs` old). $1 radar user, $2 customer
SELECT m.id, extract(epoch FROM now() - m.create_date)::float8 AS age_secs
FROM chat_messages m
JOIN conversations cv ON cv.user_id = m.user_id AND cv.customer_id = m.customer_id
WHERE m.user_id = $1 AND m.customer_id = $2 AND m.send_type = 1 AND m.sent_unread_to_customer
  AND m.seq > cv.customer_read_seq
ORDER BY m.seq
LIMIT 1
