-- Group commit of a small batch of chat messages, row by row: see chat_insert_rows in
-- sql/migrations/V18__chat_insert_rows.sql. Arguments and answer as in insert_batch.sql, plus
-- $12 whether this call repeats one whose outcome is unknown (then rows already stored with these
-- ids are answered, not stored again).
SELECT ord, id, create_date, seq, inserted, customer_badge, customer_read_seq,
       CASE WHEN ord = 1 AND $11::int > 0 THEN
           ARRAY(SELECT nextval('chat_messages_id_seq') FROM generate_series(1, $11::int))
       END AS next_ids
FROM chat_insert_rows($1::bigint[], $2::bigint[], $3::bigint[], $4::smallint[], $5::jsonb[],
                      $6::bool[], $7::bool[], $8::varchar[], $9::bool[], $10::int[], $12::bool)
ORDER BY ord
