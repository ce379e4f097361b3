-- Waits until no other transaction holds the pair's conversation row; takes that row lock itself
-- (released at once outside a transaction). $1 radar user, $2 customer
SELECT 1 FROM conversations WHERE user_id = $1 AND customer_id = $2 FOR UPDATE
