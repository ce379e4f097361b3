-- Group commit of chat messages: see chat_insert_batch in sql/migrations/V13__chat_push_without_reads.sql
-- (V15 has its current body).
-- $1 reserved ids, $2 radar users, $3 customers, $4 send_types, $5 contents, $6 unread for the
-- customer, $7 unread for the radar user, $8 client_msg_ids, $9 quote the customer's latest
-- article, $10 counters (0 none, 1 customer message, 2 radar message), $11 how many ids to reserve
-- for the writer's next batches (answered on the first row as next_ids, so the next batch needs no
-- round trip of its own to reserve its idempotency key). One answer row per input row, in input
-- order, with the customer's badge and read watermark as of that row.
SELECT ord, id, create_date, seq, inserted, customer_badge, customer_read_seq,
       CASE WHEN ord = 1 AND $11::int > 0 THEN
           ARRAY(SELECT nextval('chat_messages_id_seq') FROM generate_series(1, $11::int))
       END AS next_ids
FROM chat_insert_batch($1::bigint[], $2::bigint[], $3::bigint[], $4::smallint[], $5::jsonb[],
                       $6::bool[], $7::bool[], $8::varchar[], $9::bool[], $10::int[])
ORDER BY ord
