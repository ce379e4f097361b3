SELECT 1 FROM customer_bindings WHERE user_id = $1 AND customer_id = $2
