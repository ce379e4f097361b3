-- Customer badge: radar→customer messages of the pair unread by the customer.
SELECT COALESCE((SELECT customer_unread FROM conversations WHERE user_id = $1 AND customer_id = $2), 0)::bigint
