-- RecordAction (spec §4.1): insert the feed row and touch the binding, but only when the radar user's
-- company has not expired and the customer has a nickname. Returns the customer's name when recorded.
-- $1 radar user, $2 customer, $3 action, $4 remark, $5 diary id (nullable)
WITH ok AS (
    SELECT c.username AS customer_name
    FROM customers c, radar_users u
    JOIN companies co ON co.id = u.company_id
    WHERE c.id = $2 AND u.id = $1 AND c.username IS NOT NULL
      AND (co.account_expired_time IS NULL OR co.account_expired_time >= now())
), ins AS (
    INSERT INTO action_logs (action, user_id, customer_id, remark, diary_id)
    SELECT $3, $1, $2, $4, $5 FROM ok
    RETURNING id
), touch AS (
    UPDATE customer_bindings SET last_activity_time = now()
    WHERE user_id = $1 AND customer_id = $2 AND EXISTS (SELECT 1 FROM ins)
)
SELECT customer_name FROM ok
