-- Insert-only chat messages (issue 10): read state is two watermarks per conversation — the
-- highest seq each side has read — instead of a flag updated in every message row. A message is
-- unread for a side when it was sent unread to that side and its seq is above that side's
-- watermark; the view chat_message_state derives the legacy flags is_customer_new_msg and
-- is_user_new_msg from it (spec §6.1–§6.3, wire format unchanged). Counters stay on the
-- conversation and move with the watermarks, in the same statement.
ALTER TABLE conversations
    ADD COLUMN customer_read_seq bigint NOT NULL DEFAULT 0,
    ADD COLUMN user_read_seq bigint NOT NULL DEFAULT 0;

-- Existing rows: each side has read up to just before its oldest unread message. (Rows marked
-- read out of order above that stay unread: counted again below, so counters equal the flags.)
UPDATE conversations cv SET
    customer_read_seq = coalesce((SELECT min(m.seq) - 1 FROM chat_messages m
                                   WHERE m.user_id = cv.user_id AND m.customer_id = cv.customer_id
                                     AND m.is_customer_new_msg AND m.send_type = 1), cv.seq),
    user_read_seq = coalesce((SELECT min(m.seq) - 1 FROM chat_messages m
                               WHERE m.user_id = cv.user_id AND m.customer_id = cv.customer_id
                                 AND m.is_user_new_msg AND m.send_type = 2), cv.seq);

-- The stored flags now mean "sent unread to that side" and never change again.
ALTER TABLE chat_messages RENAME COLUMN is_customer_new_msg TO sent_unread_to_customer;
ALTER TABLE chat_messages RENAME COLUMN is_user_new_msg TO sent_unread_to_user;
UPDATE chat_messages m SET sent_unread_to_customer = true
FROM conversations cv
WHERE cv.user_id = m.user_id AND cv.customer_id = m.customer_id
  AND m.send_type = 1 AND m.seq > cv.customer_read_seq AND NOT m.sent_unread_to_customer;
UPDATE conversations cv SET
    customer_unread = (SELECT count(*) FROM chat_messages m
                        WHERE m.user_id = cv.user_id AND m.customer_id = cv.customer_id
                          AND m.send_type = 1 AND m.sent_unread_to_customer
                          AND m.seq > cv.customer_read_seq),
    user_unread = (SELECT count(*) FROM chat_messages m
                    WHERE m.user_id = cv.user_id AND m.customer_id = cv.customer_id
                      AND m.send_type = 2 AND m.sent_unread_to_user
                      AND m.seq > cv.user_read_seq);

-- No row is updated after its insert any more: pack pages full.
ALTER TABLE chat_messages SET (fillfactor = 100);

-- Messages with their derived read flags, for every query that shows them.
CREATE VIEW chat_message_state AS
SELECT m.id, m.user_id, m.customer_id, m.seq, m.send_type, m.content, m.create_date,
       m.client_msg_id, m.article_id,
       m.sent_unread_to_customer AND m.seq > cv.customer_read_seq AS is_customer_new_msg,
       m.sent_unread_to_user AND m.seq > cv.user_read_seq AS is_user_new_msg
FROM chat_messages m
JOIN conversations cv ON cv.user_id = m.user_id AND cv.customer_id = m.customer_id;

-- chat_insert_batch (V8) again, with the renamed columns.
CREATE OR REPLACE FUNCTION chat_insert_batch(
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
        INSERT INTO chat_messages (id, user_id, customer_id, send_type, content, sent_unread_to_customer,
                                   sent_unread_to_user, client_msg_id, article_id, seq)
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
