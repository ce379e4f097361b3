-- chat_insert_rows: chat_insert_batch (V13's contract, V15's body) written as a loop of key
-- lookups, for small batches (issue 10 item 2, cost per message). Same answer rows, same
-- idempotency; told whether the call repeats one whose outcome is unknown (`p_replay`).
--
-- Why two: at ordinary load a batch holds one to three rows, and for those V15's one CTE over the
-- whole batch (unnest, window, lateral joins, several passes over the input, a separate statement
-- that only locks the conversations) costs PostgreSQL far more than a few key lookups; for large
-- batches (overload) the CTE costs less per row than this loop's five statements a row. Measured
-- with load-tests/insert_batch_cost.sh (µs per call, CTE / loop, medians of 5; RESULTS.md "round
-- seven"): 1 row 591 / 208, 2 rows 596 / 416, 4 rows 946 / 704, 8 rows 985 / 810, 16 rows
-- 1,158 / 1,088, 64 rows 3,311 / 3,831. The writer calls this one for batches of up to 8 rows
-- (src/chat/writer/statement.rs).
--
-- Order of work per row, rows taken in (radar user, customer, position) order:
--   1. already stored? By the reserved id, only in a replay (the writer calls again after the
--      connection failed around COMMIT; a first call's ids were just reserved, so no row has them),
--      or by (sender, client_msg_id) (a resend, or a repeat inside this batch, whose first
--      occurrence was stored by an earlier iteration): answer that row, store nothing.
--   2. move the conversation: seq + 1, preview, unread counter — one UPDATE, which also takes the
--      row lock that serializes batches of the same pair across nodes. Taking rows in key order
--      takes those locks in key order, as chat_insert_batch and the read batches do
--      (sql/chat/push_read_*): no lock cycles. A pair's first message creates its conversation (a
--      concurrent creation by another node turns into the update).
--   3. insert the message numbered with that seq; bump the binding's legacy counters.
-- Two nodes storing the same client_msg_id at the same instant both pass step 1; the second fails
-- on chat_messages_client_msg_key and its writer calls again (src/batch.rs), finding the first.
CREATE FUNCTION chat_insert_rows(
    p_ids bigint[], p_users bigint[], p_customers bigint[], p_send_types smallint[],
    p_contents jsonb[], p_cu bool[], p_uu bool[], p_cmids varchar[], p_quotes bool[],
    p_counters int[], p_replay bool)
RETURNS TABLE (ord bigint, id bigint, create_date timestamptz, seq bigint, inserted bool,
               customer_badge bigint, customer_read_seq bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    i int;
    u bigint;
    c bigint;
    st smallint;
    cu_added int;
    uu_added int;
    article bigint;
    found_earlier bool;
BEGIN
    FOR i IN SELECT k.i FROM generate_subscripts(p_ids, 1) AS k(i)
             ORDER BY p_users[k.i], p_customers[k.i], k.i LOOP
        u := p_users[i];
        c := p_customers[i];
        st := p_send_types[i];
        ord := i;

        found_earlier := false;
        IF p_replay THEN
            SELECT m.id, m.create_date, m.seq INTO id, create_date, seq
            FROM chat_messages m WHERE m.id = p_ids[i];
            found_earlier := FOUND;
        END IF;
        IF NOT found_earlier AND p_cmids[i] IS NOT NULL THEN
            SELECT m.id, m.create_date, m.seq INTO id, create_date, seq
            FROM chat_messages m
            WHERE m.user_id = u AND m.customer_id = c AND m.send_type = st
              AND m.client_msg_id = p_cmids[i];
            found_earlier := FOUND;
        END IF;
        IF found_earlier THEN
            SELECT cv.customer_unread, cv.customer_read_seq INTO customer_badge, customer_read_seq
            FROM conversations cv WHERE cv.user_id = u AND cv.customer_id = c;
            customer_badge := coalesce(customer_badge, 0);
            customer_read_seq := coalesce(customer_read_seq, 0);
            inserted := false;
            RETURN NEXT;
            CONTINUE;
        END IF;

        id := p_ids[i];
        cu_added := (st = 1 AND p_cu[i])::int;
        uu_added := (st = 2 AND p_uu[i])::int;
        UPDATE conversations cv SET
            seq = cv.seq + 1,
            last_message_id = GREATEST(cv.last_message_id, id),
            last_at = GREATEST(cv.last_at, now()),
            customer_unread = cv.customer_unread + cu_added,
            user_unread = cv.user_unread + uu_added
        WHERE cv.user_id = u AND cv.customer_id = c
        RETURNING cv.seq, cv.customer_unread, cv.customer_read_seq
        INTO seq, customer_badge, customer_read_seq;
        IF NOT FOUND THEN
            INSERT INTO conversations AS cv (user_id, customer_id, seq, last_message_id, last_at,
                                             customer_unread, user_unread)
            VALUES (u, c, 1, id, now(), cu_added, uu_added)
            ON CONFLICT (user_id, customer_id) DO UPDATE SET
                seq = cv.seq + 1,
                last_message_id = GREATEST(cv.last_message_id, EXCLUDED.last_message_id),
                last_at = GREATEST(cv.last_at, now()),
                customer_unread = cv.customer_unread + EXCLUDED.customer_unread,
                user_unread = cv.user_unread + EXCLUDED.user_unread
            RETURNING cv.seq, cv.customer_unread, cv.customer_read_seq
            INTO seq, customer_badge, customer_read_seq;
        END IF;

        article := NULL;
        IF p_quotes[i] THEN
            SELECT a.article_id INTO article FROM chat_messages a
            WHERE a.user_id = u AND a.customer_id = c AND a.send_type = 2
              AND a.article_id IS NOT NULL
            ORDER BY a.id DESC LIMIT 1;
        END IF;
        INSERT INTO chat_messages AS m (id, user_id, customer_id, send_type, content,
                                        sent_unread_to_customer, sent_unread_to_user,
                                        client_msg_id, article_id, seq)
        VALUES (id, u, c, st, p_contents[i], p_cu[i], p_uu[i], p_cmids[i], article, seq)
        RETURNING m.create_date INTO create_date;

        IF p_counters[i] = 1 THEN
            UPDATE customer_bindings b SET is_customer_msg_num = b.is_customer_msg_num + 1,
                                           last_activity_time = now()
            WHERE b.user_id = u AND b.customer_id = c;
        ELSIF p_counters[i] = 2 THEN
            UPDATE customer_bindings b SET is_user_msg_num = b.is_user_msg_num + 1,
                                           last_follow_time = now()
            WHERE b.user_id = u AND b.customer_id = c;
        END IF;

        inserted := true;
        RETURN NEXT;
    END LOOP;
END
$$;

-- Generic plans for the loop's statements from the first call (key lookups: the same plan for every
-- value), instead of five custom plannings per statement and connection first (a one-row call
-- cost 190–234 µs with it, 258–310 without, on an earlier version of the harness above). And
-- index scans even while a table is small: a connection keeps its plan, and one made while
-- conversations or customer_bindings held a few hundred rows (a new deployment, a benchmark)
-- scanned the whole table for every row for the connection's life (~200 rows read per message in
-- load-tests/chat_vs_node.sh).
ALTER FUNCTION chat_insert_rows(bigint[], bigint[], bigint[], smallint[], jsonb[], bool[], bool[],
                                varchar[], bool[], int[], bool)
    SET plan_cache_mode = force_generic_plan
    SET enable_seqscan = off;
