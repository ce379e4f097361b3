-- Reserves $1 message ids, in order, for one batch.
SELECT nextval('chat_messages_id_seq') FROM generate_series(1, $1::bigint)
