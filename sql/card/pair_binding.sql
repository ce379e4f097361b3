-- The (radar user, customer) binding's code and poster. $1 radar user, $2 customer
SELECT qr_code, poster_url FROM customer_bindings WHERE user_id = $1 AND customer_id = $2
