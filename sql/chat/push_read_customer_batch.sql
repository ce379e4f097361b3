-- Batched customer-side reads: for each (pair, seq) pushed to a customer inside the chat page, the
-- customer's watermark moves up to that seq and the radar messages it passes come off the pair's
-- counter. Answers the pairs where radar messages became read (each gets a read receipt), and the
-- pairs skipped because another transaction held their conversation (`skipped`: mark them again).
-- $1 radar users, $2 customers, $3 seqs
WITH req AS (
    SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS r(user_id, customer_id, seq)
), pairs AS (
    SELECT user_id, customer_id, max(seq) AS upto FROM req GROUP BY user_id, customer_id
), locked AS MATERIALIZED (
    -- Conversations are locked in key order, as the writer does: no lock cycles between nodes.
    -- A conversation another transaction holds (a writer batch, until its commit is flushed) is
    -- skipped, not waited for: waiting here while holding the batch's other rows chained writers
    -- of several nodes behind each other (measured: RESULTS.md, round eight). Its pair is answered
    -- as skipped and marked again by the caller.
    SELECT c.user_id, c.customer_id, c.customer_read_seq AS was, p.upto
    FROM conversations c
    JOIN pairs p ON p.user_id = c.user_id AND p.customer_id = c.customer_id
    WHERE p.upto > c.customer_read_seq
    ORDER BY c.user_id, c.customer_id
    FOR UPDATE OF c SKIP LOCKED
), k AS (
    SELECT l.user_id, l.customer_id, l.upto,
           (SELECT count(*) FROM chat_messages m
             WHERE m.user_id = l.user_id AND m.customer_id = l.customer_id
               AND m.seq > l.was AND m.seq <= l.upto
               AND m.send_type = 1 AND m.sent_unread_to_customer) AS read
    FROM locked l
), upd AS (
    UPDATE conversations c SET customer_read_seq = k.upto,
                               customer_unread = GREATEST(c.customer_unread - k.read, 0)
    FROM k WHERE c.user_id = k.user_id AND c.customer_id = k.customer_id
), skipped AS (
    SELECT p.user_id, p.customer_id
    FROM pairs p
    JOIN conversations c ON c.user_id = p.user_id AND c.customer_id = p.customer_id
    WHERE p.upto > c.customer_read_seq
      AND NOT EXISTS (SELECT 1 FROM locked l
                      WHERE l.user_id = p.user_id AND l.customer_id = p.customer_id)
)
SELECT user_id, customer_id, read, false AS skipped FROM k WHERE read > 0
UNION ALL
SELECT user_id, customer_id, 0, true FROM skipped
