-- A page of the pair's conversation, newest first (excluding stored temp media), with the total.
-- $1 radar user, $2 customer, $3 limit (null = all), $4 offset
SELECT id, seq, send_type, content, create_date, client_msg_id, is_customer_new_msg, is_user_new_msg,
       count(*) OVER () AS total,
       id = (SELECT min(id) FROM chat_messages f WHERE f.user_id = $1 AND f.customer_id = $2) AS is_first
FROM chat_message_state
WHERE user_id = $1 AND customer_id = $2 AND send_type <> 4
ORDER BY id DESC
LIMIT $3 OFFSET $4
