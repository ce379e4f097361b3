-- These messages reached the customer: the badge before, then those messages read.
-- $1 radar user, $2 customer, $3 message ids. Returns (badge_before, radar_messages_read).
WITH badge AS (
    SELECT COALESCE((SELECT customer_unread FROM conversations
                      WHERE user_id = $1 AND customer_id = $2), 0)::bigint AS n
), r AS (
    UPDATE chat_messages SET is_customer_new_msg = false
    WHERE id = ANY($3) AND user_id = $1 AND customer_id = $2 AND is_customer_new_msg
    RETURNING send_type
), k AS (
    SELECT count(*) FILTER (WHERE send_type = 1) AS read FROM r
), dec AS (
    UPDATE conversations SET customer_unread = GREATEST(customer_unread - (SELECT read FROM k), 0)
    WHERE user_id = $1 AND customer_id = $2 AND (SELECT read FROM k) > 0
)
SELECT (SELECT n FROM badge), (SELECT read FROM k)
