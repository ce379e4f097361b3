UPDATE customers SET company_id = $2 WHERE id = $1
