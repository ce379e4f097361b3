-- A `since_id` resume point as a seq: everything after the returned seq has an id above $3 or
-- came later. $1 radar user, $2 customer, $3 since_id
SELECT coalesce(
    (SELECT min(seq) - 1 FROM chat_messages WHERE user_id = $1 AND customer_id = $2 AND id > $3),
    (SELECT seq FROM conversations WHERE user_id = $1 AND customer_id = $2),
    0)
