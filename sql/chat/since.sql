-- The pair's messages after $3, read or not, oldest first (gap-free resume), at most $4.
SELECT id, seq, send_type, content, create_date, client_msg_id, is_customer_new_msg, is_user_new_msg
FROM chat_message_state
WHERE user_id = $1 AND customer_id = $2 AND id > $3 AND send_type <> 4
ORDER BY id
LIMIT $4
