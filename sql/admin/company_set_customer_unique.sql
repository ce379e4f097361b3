-- $1 company, $2 is_customer_unique
UPDATE companies SET is_customer_unique = $2 WHERE id = $1 AND status <> 3
