-- Group commit of chat messages: see chat_insert_batch in sql/migrations/V13__chat_push_without_reads.sql.
-- $1 reserved ids, $2 radar users, $3 customers, $4 send_types, $5 contents, $6 unread for the
-- customer, $7 unread for the radar user, $8 client_msg_ids, $9 quote the customer's latest
-- article, $10 counters (0 none, 1 customer message, 2 radar message). One answer row per input
-- row, in input order, with the customer's badge and read watermark as of that row.
SELECT ord, id, create_date, seq, inserted, customer_badge, customer_read_seq
FROM chat_insert_batch($1::bigint[], $2::bigint[], $3::bigint[], $4::smallint[], $5::jsonb[],
                       $6::bool[], $7::bool[], $8::varchar[], $9::bool[], $10::int[])
ORDER BY ord
