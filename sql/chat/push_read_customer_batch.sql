-- Batched customer-side pushes: for each pushed (pair, message), the pair's badge before this batch
-- and how many radar messages became read (taken off the pair's counter). A message id of 0 asks
-- for the badge only (the customer is outside the chat page, or it is their own message's echo).
-- $1 radar users, $2 customers, $3 message ids (0 = none)
WITH req AS (
    SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS r(user_id, customer_id, id)
), badge AS (
    SELECT p.user_id, p.customer_id, COALESCE(c.customer_unread, 0)::bigint AS n
    FROM (SELECT DISTINCT user_id, customer_id FROM req) p
    LEFT JOIN conversations c ON c.user_id = p.user_id AND c.customer_id = p.customer_id
), upd AS (
    UPDATE chat_messages m SET is_customer_new_msg = false
    FROM (SELECT DISTINCT user_id, customer_id, id FROM req WHERE id <> 0) r
    WHERE m.id = r.id AND m.user_id = r.user_id AND m.customer_id = r.customer_id AND m.is_customer_new_msg
    RETURNING m.user_id, m.customer_id, m.send_type
), k AS (
    SELECT user_id, customer_id, count(*) FILTER (WHERE send_type = 1) AS read
    FROM upd GROUP BY user_id, customer_id
), locked AS (
    -- Conversations are locked in key order, as the writer does: no lock cycles between nodes.
    SELECT c.user_id, c.customer_id, k.read FROM conversations c
    JOIN k ON c.user_id = k.user_id AND c.customer_id = k.customer_id
    WHERE k.read > 0
    ORDER BY c.user_id, c.customer_id
    FOR UPDATE OF c
), dec AS (
    UPDATE conversations c SET customer_unread = GREATEST(c.customer_unread - l.read, 0)
    FROM locked l WHERE c.user_id = l.user_id AND c.customer_id = l.customer_id
)
SELECT b.user_id, b.customer_id, b.n AS badge, COALESCE(k.read, 0) AS read
FROM badge b LEFT JOIN k ON k.user_id = b.user_id AND k.customer_id = b.customer_id
