-- The customer read the whole pair. Returns how many radar messages became read.
WITH r AS (
    UPDATE chat_messages SET is_customer_new_msg = false
    WHERE user_id = $1 AND customer_id = $2 AND is_customer_new_msg
    RETURNING send_type
)
SELECT count(*) FILTER (WHERE send_type = 1) FROM r
