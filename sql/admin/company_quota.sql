-- A live company's card quota. $1 company
SELECT mingpian_available_num FROM companies WHERE id = $1 AND status <> 3
