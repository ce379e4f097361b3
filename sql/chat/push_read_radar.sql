-- These messages reached the radar user: read for them (counter adjusted). Returns how many.
WITH r AS (
    UPDATE chat_messages SET is_user_new_msg = false
    WHERE id = ANY($3) AND user_id = $1 AND customer_id = $2 AND is_user_new_msg
    RETURNING send_type
), k AS (
    SELECT count(*) FILTER (WHERE send_type = 2) AS read, count(*) AS total FROM r
), dec AS (
    UPDATE conversations SET user_unread = GREATEST(user_unread - (SELECT read FROM k), 0)
    WHERE user_id = $1 AND customer_id = $2 AND (SELECT read FROM k) > 0
)
SELECT total FROM k
