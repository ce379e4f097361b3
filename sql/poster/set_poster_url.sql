-- The pair's rendered poster. $1 radar user, $2 customer, $3 relative path
UPDATE customer_bindings SET poster_url = $3 WHERE user_id = $1 AND customer_id = $2
