-- Batched radar-side pushes: the pushed customer messages become read for their radar users.
-- Returns the radar users whose unread count changed. $1 radar users, $2 customers, $3 message ids
WITH req AS (
    SELECT DISTINCT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS r(user_id, customer_id, id)
), upd AS (
    UPDATE chat_messages m SET is_user_new_msg = false
    FROM req
    WHERE m.id = req.id AND m.user_id = req.user_id AND m.customer_id = req.customer_id AND m.is_user_new_msg
    RETURNING m.user_id
)
SELECT DISTINCT user_id FROM upd
