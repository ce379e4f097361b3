-- Batched radar-side pushes: the pushed customer messages become read for their radar users (taken
-- off the pairs' counters). Returns the radar users whose unread count changed.
-- $1 radar users, $2 customers, $3 message ids
WITH req AS (
    SELECT DISTINCT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS r(user_id, customer_id, id)
), upd AS (
    UPDATE chat_messages m SET is_user_new_msg = false
    FROM req
    WHERE m.id = req.id AND m.user_id = req.user_id AND m.customer_id = req.customer_id AND m.is_user_new_msg
    RETURNING m.user_id, m.customer_id, m.send_type
), k AS (
    SELECT user_id, customer_id, count(*) FILTER (WHERE send_type = 2) AS read
    FROM upd GROUP BY user_id, customer_id
), locked AS (
    -- Conversations are locked in key order, as the writer does: no lock cycles between nodes.
    SELECT c.user_id, c.customer_id, k.read FROM conversations c
    JOIN k ON c.user_id = k.user_id AND c.customer_id = k.customer_id
    WHERE k.read > 0
    ORDER BY c.user_id, c.customer_id
    FOR UPDATE OF c
), dec AS (
    UPDATE conversations c SET user_unread = GREATEST(c.user_unread - l.read, 0)
    FROM locked l WHERE c.user_id = l.user_id AND c.customer_id = l.customer_id
)
SELECT DISTINCT user_id FROM k WHERE read > 0
