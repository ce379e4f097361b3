-- The radar user read the whole pair. Returns how many customer messages became read (and takes
-- them off the pair's counter).
WITH r AS (
    UPDATE chat_messages SET is_user_new_msg = false
    WHERE user_id = $1 AND customer_id = $2 AND is_user_new_msg
    RETURNING send_type
), k AS (
    SELECT count(*) FILTER (WHERE send_type = 2) AS read FROM r
), dec AS (
    UPDATE conversations SET user_unread = GREATEST(user_unread - (SELECT read FROM k), 0)
    WHERE user_id = $1 AND customer_id = $2 AND (SELECT read FROM k) > 0
)
SELECT read FROM k
