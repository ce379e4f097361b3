-- Deletes the products $2 (distinct ids) of company $1, all or none: nothing is deleted unless every
-- id is a product of that company. Returns the deleted ids.
DELETE FROM products
WHERE company_id = $1 AND id = ANY($2)
  AND (SELECT count(*) FROM products WHERE company_id = $1 AND id = ANY($2)) = cardinality($2)
RETURNING id
