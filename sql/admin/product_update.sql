-- Updates a product; null $3..$5 keep the stored value. $1 id, $2 name, $3 price, $4 reason,
-- $5 content
UPDATE products
SET name = $2, price = COALESCE($3, price), reason = COALESCE($4, reason),
    content = COALESCE($5, content)
WHERE id = $1
