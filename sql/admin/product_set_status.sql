-- Sets the status of the products $2 (distinct ids) of company $1, all or none (see
-- product_delete.sql). $3 status. Returns the updated ids.
UPDATE products SET status = $3
WHERE company_id = $1 AND id = ANY($2)
  AND (SELECT count(*) FROM products WHERE company_id = $1 AND id = ANY($2)) = cardinality($2)
RETURNING id
