-- Uses up the customer's oldest unused grant of template $2 (one grant, one message), across all
-- nodes (SKIP LOCKED: two nodes never take the same one). $1 customer.
UPDATE customer_subscribe_grants SET used_at = now()
WHERE id = (
    SELECT id FROM customer_subscribe_grants
    WHERE customer_id = $1 AND template_id = $2 AND used_at IS NULL
    ORDER BY id LIMIT 1
    FOR UPDATE SKIP LOCKED
)
RETURNING id
