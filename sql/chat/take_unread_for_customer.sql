-- M8: the pair's messages unread by the customer, marked read (counter adjusted).
WITH r AS (
    UPDATE chat_messages SET is_customer_new_msg = false
    WHERE user_id = $1 AND customer_id = $2 AND is_customer_new_msg AND send_type <> 4
    RETURNING id, seq, send_type, content, create_date, client_msg_id, true AS is_customer_new_msg,
              is_user_new_msg
), dec AS (
    UPDATE conversations
    SET customer_unread = GREATEST(customer_unread - (SELECT count(*) FROM r WHERE send_type = 1), 0)
    WHERE user_id = $1 AND customer_id = $2 AND EXISTS (SELECT 1 FROM r WHERE send_type = 1)
)
SELECT * FROM r
