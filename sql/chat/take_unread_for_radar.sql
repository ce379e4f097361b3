-- R4: the pair's messages unread by the radar user, now read: the radar user's watermark moves to
-- the pair's last message (counter to 0). $1 radar user, $2 customer
WITH o AS (
    SELECT user_read_seq AS was, customer_read_seq, seq AS upto FROM conversations
    WHERE user_id = $1 AND customer_id = $2
    FOR UPDATE
), r AS (
    SELECT m.id, m.seq, m.send_type, m.content, m.create_date, m.client_msg_id,
           m.sent_unread_to_customer AND m.seq > o.customer_read_seq AS is_customer_new_msg,
           true AS is_user_new_msg
    FROM chat_messages m, o
    WHERE m.user_id = $1 AND m.customer_id = $2 AND m.seq > o.was AND m.seq <= o.upto
      AND m.sent_unread_to_user AND m.send_type <> 4
), u AS (
    UPDATE conversations cv SET user_read_seq = o.upto, user_unread = 0
    FROM o
    WHERE cv.user_id = $1 AND cv.customer_id = $2 AND cv.user_read_seq < o.upto
)
SELECT * FROM r
