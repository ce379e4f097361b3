-- The pair's highest message seq (0 before its first message). $1 radar user, $2 customer
SELECT coalesce((SELECT seq FROM conversations WHERE user_id = $1 AND customer_id = $2), 0)
