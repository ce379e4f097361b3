-- The radar user read the whole pair: their watermark moves to the pair's last message. Returns
-- how many customer messages became read (the counter before, now 0).
WITH o AS (
    SELECT user_unread AS was FROM conversations
    WHERE user_id = $1 AND customer_id = $2
    FOR UPDATE
), u AS (
    UPDATE conversations SET user_read_seq = seq, user_unread = 0
    WHERE user_id = $1 AND customer_id = $2 AND user_read_seq < seq
)
SELECT coalesce((SELECT was FROM o), 0)::bigint
