-- Group commit: inserts a batch of messages (ids reserved by next_ids.sql, so order is known), moves
-- each pair's contact-list preview, and bumps the binding counters — one statement, one commit.
-- Rows whose (sender, client_msg_id) already exists are skipped; the caller looks them up.
WITH input AS (
    SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::smallint[], $5::jsonb[],
                         $6::bool[], $7::bool[], $8::varchar[], $9::bigint[], $10::int[])
        AS t(id, user_id, customer_id, send_type, content, cu, uu, cmid, article_id, counter)
), msg AS (
    INSERT INTO chat_messages (id, user_id, customer_id, send_type, content, is_customer_new_msg,
                               is_user_new_msg, client_msg_id, article_id)
    SELECT id, user_id, customer_id, send_type, content, cu, uu, cmid, article_id FROM input ORDER BY id
    ON CONFLICT (user_id, customer_id, send_type, client_msg_id) WHERE client_msg_id IS NOT NULL
    DO NOTHING
    RETURNING id, user_id, customer_id, create_date
), conv AS (
    INSERT INTO conversations (user_id, customer_id, last_message_id, last_at, customer_unread, user_unread)
    SELECT msg.user_id, msg.customer_id, max(msg.id), max(msg.create_date),
           count(*) FILTER (WHERE i.send_type = 1 AND i.cu), count(*) FILTER (WHERE i.send_type = 2 AND i.uu)
    FROM msg JOIN input i ON i.id = msg.id
    GROUP BY msg.user_id, msg.customer_id ORDER BY msg.user_id, msg.customer_id
    ON CONFLICT (user_id, customer_id) DO UPDATE
        SET last_message_id = GREATEST(conversations.last_message_id, EXCLUDED.last_message_id),
            last_at = GREATEST(conversations.last_at, EXCLUDED.last_at),
            customer_unread = conversations.customer_unread + EXCLUDED.customer_unread,
            user_unread = conversations.user_unread + EXCLUDED.user_unread
), counts AS (
    SELECT i.user_id, i.customer_id,
           count(*) FILTER (WHERE i.counter = 1) AS nc, count(*) FILTER (WHERE i.counter = 2) AS nu
    FROM msg JOIN input i ON i.id = msg.id
    GROUP BY i.user_id, i.customer_id
), locked AS (
    -- Bindings are locked in key order, like the conversations above, so that batches of several
    -- nodes never wait on each other in a cycle (a deadlock stalls a writer for a second).
    SELECT b.id, c.nc, c.nu FROM customer_bindings b
    JOIN counts c ON b.user_id = c.user_id AND b.customer_id = c.customer_id
    WHERE c.nc > 0 OR c.nu > 0
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
SELECT id, create_date FROM msg
