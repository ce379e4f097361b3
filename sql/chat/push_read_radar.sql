-- A push reached the radar user's chat socket: those messages become read for them.
UPDATE chat_messages SET is_user_new_msg = false
WHERE id = ANY($3) AND user_id = $1 AND customer_id = $2 AND is_user_new_msg
