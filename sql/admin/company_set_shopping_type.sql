-- $1 company, $2 shopping_type (1 产品, 2 商城)
UPDATE companies SET shopping_type = $2 WHERE id = $1 AND status <> 3
