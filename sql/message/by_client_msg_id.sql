-- The message a sender already stored under this client_msg_id.
SELECT id, create_date FROM chat_messages
WHERE user_id = $1 AND customer_id = $2 AND send_type = $3 AND client_msg_id = $4
