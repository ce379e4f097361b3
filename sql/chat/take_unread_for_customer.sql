-- M8: the pair's messages unread by the customer, now read: the customer's watermark moves to the
-- pair's last message (counter to 0). $1 radar user, $2 customer
WITH o AS (
    SELECT customer_read_seq AS was, user_read_seq, seq AS upto FROM conversations
    WHERE user_id = $1 AND customer_id = $2
    FOR UPDATE
), r AS (
    SELECT m.id, m.seq, m.send_type, m.content, m.create_date, m.client_msg_id,
           true AS is_customer_new_msg, m.sent_unread_to_user AND m.seq > o.user_read_seq AS is_user_new_msg
    FROM chat_messages m, o
    WHERE m.user_id = $1 AND m.customer_id = $2 AND m.seq > o.was AND m.seq <= o.upto
      AND m.sent_unread_to_customer AND m.send_type <> 4
), u AS (
    UPDATE conversations cv SET customer_read_seq = o.upto, customer_unread = 0
    FROM o
    WHERE cv.user_id = $1 AND cv.customer_id = $2 AND cv.customer_read_seq < o.upto
)
SELECT * FROM r
