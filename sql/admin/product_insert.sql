-- A product created by an admin. $1 company, $2 owner radar user (null = company product), $3 name,
-- $4 price, $5 reason, $6 content
INSERT INTO products (company_id, user_id, name, price, reason, content)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id
