-- The company of a product. $1 product
SELECT company_id FROM products WHERE id = $1
