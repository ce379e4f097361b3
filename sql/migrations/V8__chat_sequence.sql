-- Gap-free order per conversation (issue 9): every message gets `seq`, 1, 2, 3… within its pair, in
-- commit order, assigned by chat_insert_batch while it holds the pair's conversation row. A session
-- that sees seq jump fetches the missing range; a client resumes with `since_seq`.
ALTER TABLE conversations ADD COLUMN seq bigint NOT NULL DEFAULT 0;
ALTER TABLE chat_messages ADD COLUMN seq bigint;

UPDATE chat_messages m SET seq = s.seq
FROM (SELECT id, row_number() OVER (PARTITION BY user_id, customer_id ORDER BY id) AS seq
      FROM chat_messages) s
WHERE s.id = m.id;
UPDATE conversations cv SET seq = coalesce(
    (SELECT max(m.seq) FROM chat_messages m
      WHERE m.user_id = cv.user_id AND m.customer_id = cv.customer_id), 0);

ALTER TABLE chat_messages ALTER COLUMN seq SET NOT NULL;
CREATE UNIQUE INDEX chat_messages_pair_seq_key ON chat_messages (user_id, customer_id, seq);

-- Group commit of chat messages: one call, one commit for a whole batch.
--
-- The ids were reserved by the caller (message/next_ids.sql) and are the batch's idempotency key:
-- calling again with the same ids after an ambiguous failure (the connection died during COMMIT)
-- stores nothing twice and answers with the rows already stored. A row whose (sender,
-- client_msg_id) is already stored is not stored again either; its answer is the first row.
--
-- Order of work, so batches of several nodes neither deadlock nor number out of order:
--   1. create-or-lock every pair's conversation row, in key order (the row lock serializes
--      batches of the same pair across nodes; a fresh snapshot per statement sees their commits);
--   2. insert the new rows numbered after the conversation's seq, move the conversation (seq,
--      preview, unread counters) and bump the binding counters, in one statement.
-- Answers one row per input position (`ord`, 1-based): the stored id, its create_date and seq,
-- and whether this call stored it.
CREATE FUNCTION chat_insert_batch(
    p_ids bigint[], p_users bigint[], p_customers bigint[], p_send_types smallint[],
    p_contents jsonb[], p_cu bool[], p_uu bool[], p_cmids varchar[], p_articles bigint[],
    p_counters int[])
RETURNS TABLE (ord bigint, id bigint, create_date timestamptz, seq bigint, inserted bool)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    INSERT INTO conversations AS cv (user_id, customer_id, last_message_id, last_at)
    SELECT DISTINCT k.u, k.c, 0::bigint, now()
    FROM unnest(p_users, p_customers) AS k(u, c)
    ORDER BY k.u, k.c
    ON CONFLICT (user_id, customer_id) DO UPDATE SET seq = cv.seq;

    RETURN QUERY
    WITH input AS (
        SELECT t.*
        FROM unnest(p_ids, p_users, p_customers, p_send_types, p_contents, p_cu, p_uu, p_cmids,
                    p_articles, p_counters)
             WITH ORDINALITY AS t(id, u, c, st, content, cu, uu, cmid, article, counter, ord)
    ), earlier AS (
        -- Rows already stored: a replay of this very batch (same id), or a resend (same cmid).
        SELECT i.ord, m.id, m.create_date, m.seq
        FROM input i
        JOIN LATERAL (
            SELECT m.id, m.create_date, m.seq FROM chat_messages m WHERE m.id = i.id
            UNION ALL
            SELECT m.id, m.create_date, m.seq FROM chat_messages m
            WHERE i.cmid IS NOT NULL AND m.user_id = i.u AND m.customer_id = i.c
              AND m.send_type = i.st AND m.client_msg_id = i.cmid
            LIMIT 1
        ) m ON true
    ), fresh AS (
        -- The rest, minus a repeated cmid inside the batch (its first occurrence stands for it).
        SELECT i.*
        FROM input i
        WHERE NOT EXISTS (SELECT 1 FROM earlier e WHERE e.ord = i.ord)
          AND (i.cmid IS NULL OR NOT EXISTS (
                SELECT 1 FROM input j
                WHERE j.ord < i.ord AND j.u = i.u AND j.c = i.c AND j.st = i.st AND j.cmid = i.cmid))
    ), numbered AS (
        SELECT f.*, cv.seq + row_number() OVER (PARTITION BY f.u, f.c ORDER BY f.ord) AS new_seq
        FROM fresh f
        JOIN conversations cv ON cv.user_id = f.u AND cv.customer_id = f.c
    ), msg AS (
        INSERT INTO chat_messages (id, user_id, customer_id, send_type, content, is_customer_new_msg,
                                   is_user_new_msg, client_msg_id, article_id, seq)
        SELECT n.id, n.u, n.c, n.st, n.content, n.cu, n.uu, n.cmid, n.article, n.new_seq
        FROM numbered n ORDER BY n.ord
        RETURNING chat_messages.id, chat_messages.create_date
    ), per_pair AS (
        SELECT n.u, n.c, count(*) AS added, max(n.new_seq) AS top_seq, max(n.id) AS top_id,
               count(*) FILTER (WHERE n.st = 1 AND n.cu) AS cu_added,
               count(*) FILTER (WHERE n.st = 2 AND n.uu) AS uu_added,
               count(*) FILTER (WHERE n.counter = 1) AS nc,
               count(*) FILTER (WHERE n.counter = 2) AS nu
        FROM numbered n GROUP BY n.u, n.c
    ), conv AS (
        UPDATE conversations cv SET
            seq = p.top_seq,
            last_message_id = GREATEST(cv.last_message_id, p.top_id),
            last_at = GREATEST(cv.last_at, now()),
            customer_unread = cv.customer_unread + p.cu_added,
            user_unread = cv.user_unread + p.uu_added
        FROM per_pair p
        WHERE cv.user_id = p.u AND cv.customer_id = p.c
    ), locked AS (
        SELECT b.id, p.nc, p.nu FROM customer_bindings b
        JOIN per_pair p ON b.user_id = p.u AND b.customer_id = p.c
        WHERE p.nc > 0 OR p.nu > 0
        ORDER BY b.user_id, b.customer_id
        FOR UPDATE OF b
    ), bump AS (
        UPDATE customer_bindings b SET
            is_customer_msg_num = b.is_customer_msg_num + l.nc,
            last_activity_time  = CASE WHEN l.nc > 0 THEN now() ELSE b.last_activity_time END,
            is_user_msg_num     = b.is_user_msg_num + l.nu,
            last_follow_time    = CASE WHEN l.nu > 0 THEN now() ELSE b.last_follow_time END
        FROM locked l
        WHERE b.id = l.id
    )
    SELECT i.ord, coalesce(e.id, n.id, d.id), coalesce(e.create_date, now()),
           coalesce(e.seq, n.new_seq, d.new_seq), n.id IS NOT NULL
    FROM input i
    LEFT JOIN earlier e ON e.ord = i.ord
    LEFT JOIN numbered n ON n.ord = i.ord
    LEFT JOIN LATERAL (
        SELECT n2.id, n2.new_seq FROM numbered n2
        WHERE e.ord IS NULL AND n.ord IS NULL
          AND n2.u = i.u AND n2.c = i.c AND n2.st = i.st AND n2.cmid = i.cmid
        LIMIT 1
    ) d ON true
    ORDER BY i.ord;
END
$$;
