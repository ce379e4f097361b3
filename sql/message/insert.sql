-- Inserts one chat message, moves the pair's contact-list preview to it, and bumps the binding's
-- per-side counters. A repeated (sender, client_msg_id) inserts nothing and returns no row.
-- $1 radar user, $2 customer, $3 send_type, $4 content, $5 unread for customer, $6 unread for radar,
-- $7 client_msg_id, $8 article_id, $9 counter: 0 none, 1 customer message, 2 radar message
WITH msg AS (
    INSERT INTO chat_messages (user_id, customer_id, send_type, content, is_customer_new_msg,
                               is_user_new_msg, client_msg_id, article_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    ON CONFLICT (user_id, customer_id, send_type, client_msg_id) WHERE client_msg_id IS NOT NULL
    DO NOTHING
    RETURNING id, create_date
), conv AS (
    INSERT INTO conversations (user_id, customer_id, last_message_id, last_at, customer_unread, user_unread)
    SELECT $1, $2, id, create_date,
           CASE WHEN $3 = 1 AND $5 THEN 1 ELSE 0 END, CASE WHEN $3 = 2 AND $6 THEN 1 ELSE 0 END
    FROM msg
    ON CONFLICT (user_id, customer_id) DO UPDATE
        SET last_message_id = GREATEST(conversations.last_message_id, EXCLUDED.last_message_id),
            last_at = GREATEST(conversations.last_at, EXCLUDED.last_at),
            customer_unread = conversations.customer_unread + EXCLUDED.customer_unread,
            user_unread = conversations.user_unread + EXCLUDED.user_unread
), counters AS (
    UPDATE customer_bindings SET
        is_customer_msg_num = is_customer_msg_num + CASE WHEN $9::int = 1 THEN 1 ELSE 0 END,
        last_activity_time  = CASE WHEN $9::int = 1 THEN now() ELSE last_activity_time END,
        is_user_msg_num     = is_user_msg_num + CASE WHEN $9::int = 2 THEN 1 ELSE 0 END,
        last_follow_time    = CASE WHEN $9::int = 2 THEN now() ELSE last_follow_time END
    WHERE user_id = $1 AND customer_id = $2 AND $9::int <> 0 AND EXISTS (SELECT 1 FROM msg)
)
SELECT id, create_date FROM msg
