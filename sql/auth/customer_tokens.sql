-- The tokens of the customers among $1 (an id array) who still have access, by the rule of
-- customer_token.sql (a customer of a deleted company has none): a missing id has lost access.
-- The per-node revocation sweep of open sockets (src/chat/revocation.rs). $1 ids
SELECT c.id, c.token
FROM customers c LEFT JOIN companies co ON co.id = c.company_id
WHERE c.id = ANY($1) AND (co.id IS NULL OR co.status <> 3)
