-- The pair's messages with $3 < seq < $4 in seq order, at most $5 (gap fill and catch-up of a
-- socket). $1 radar user, $2 customer
SELECT id, seq, send_type, content, create_date, client_msg_id, is_customer_new_msg, is_user_new_msg
FROM chat_message_state
WHERE user_id = $1 AND customer_id = $2 AND seq > $3 AND seq < $4 AND send_type <> 4
ORDER BY seq
LIMIT $5
