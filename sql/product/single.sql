-- One product of the radar user's company. $1 product, $2 company
SELECT id, name, price, reason, content, status, create_date
FROM products WHERE id = $1 AND company_id = $2
