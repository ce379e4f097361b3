-- The customer's side of the pair now: unread radar messages (the badge) and the read watermark.
-- $1 radar user, $2 customer
SELECT COALESCE(max(customer_unread), 0)::bigint AS badge, COALESCE(max(customer_read_seq), 0) AS read_seq
FROM conversations WHERE user_id = $1 AND customer_id = $2
