-- The radar user read the whole pair. Returns how many customer messages became read.
WITH r AS (
    UPDATE chat_messages SET is_user_new_msg = false
    WHERE user_id = $1 AND customer_id = $2 AND is_user_new_msg
    RETURNING send_type
)
SELECT count(*) FILTER (WHERE send_type = 2) FROM r
