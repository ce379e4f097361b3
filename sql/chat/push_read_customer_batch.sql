-- Batched customer-side pushes: for each pushed (pair, message), the pair's badge before this batch
-- and how many radar messages became read. A message id of 0 asks for the badge only (the customer
-- is outside the chat page, or it is the echo of their own message).
-- $1 radar users, $2 customers, $3 message ids (0 = none)
WITH req AS (
    SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS r(user_id, customer_id, id)
), pairs AS (
    SELECT DISTINCT user_id, customer_id FROM req
), badge AS (
    SELECT p.user_id, p.customer_id,
           (SELECT count(*) FROM chat_messages m
             WHERE m.user_id = p.user_id AND m.customer_id = p.customer_id
               AND m.is_customer_new_msg AND m.send_type = 1) AS n
    FROM pairs p
), upd AS (
    UPDATE chat_messages m SET is_customer_new_msg = false
    FROM (SELECT DISTINCT user_id, customer_id, id FROM req WHERE id <> 0) r
    WHERE m.id = r.id AND m.user_id = r.user_id AND m.customer_id = r.customer_id AND m.is_customer_new_msg
    RETURNING m.user_id, m.customer_id, m.send_type
)
SELECT b.user_id, b.customer_id, b.n AS badge,
       (SELECT count(*) FROM upd u
         WHERE u.user_id = b.user_id AND u.customer_id = b.customer_id AND u.send_type = 1) AS read
FROM badge b
