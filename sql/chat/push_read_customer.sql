-- A push reached a customer inside the chat page: the badge before, then those messages read.
-- $1 radar user, $2 customer, $3 message ids. Returns (badge_before, radar_messages_read).
WITH badge AS (
    SELECT count(*) AS n FROM chat_messages
    WHERE user_id = $1 AND customer_id = $2 AND is_customer_new_msg AND send_type = 1
), r AS (
    UPDATE chat_messages SET is_customer_new_msg = false
    WHERE id = ANY($3) AND user_id = $1 AND customer_id = $2 AND is_customer_new_msg
    RETURNING send_type
)
SELECT (SELECT n FROM badge), (SELECT count(*) FILTER (WHERE send_type = 1) FROM r)
