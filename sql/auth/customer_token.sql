-- The token of a customer, unless their company is deleted (a customer without a company yet
-- keeps theirs). $1 id
SELECT c.token
FROM customers c LEFT JOIN companies co ON co.id = c.company_id
WHERE c.id = $1 AND (co.id IS NULL OR co.status <> 3)
