-- R4: the pair's messages unread by the radar user, marked read (counter adjusted).
WITH r AS (
    UPDATE chat_messages SET is_user_new_msg = false
    WHERE user_id = $1 AND customer_id = $2 AND is_user_new_msg AND send_type <> 4
    RETURNING id, seq, send_type, content, create_date, client_msg_id, is_customer_new_msg,
              true AS is_user_new_msg
), dec AS (
    UPDATE conversations
    SET user_unread = GREATEST(user_unread - (SELECT count(*) FROM r WHERE send_type = 2), 0)
    WHERE user_id = $1 AND customer_id = $2 AND EXISTS (SELECT 1 FROM r WHERE send_type = 2)
)
SELECT * FROM r
