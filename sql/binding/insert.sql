-- $1 radar user, $2 customer, $3 source, $4 parent customer (kept only if it exists)
INSERT INTO customer_bindings (user_id, customer_id, source, customer_parent_id, last_activity_time)
VALUES ($1, $2, $3, (SELECT id FROM customers WHERE id = $4), now())
RETURNING id
