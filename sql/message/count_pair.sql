SELECT count(*) FROM chat_messages WHERE user_id = $1 AND customer_id = $2 AND send_type <> 4
