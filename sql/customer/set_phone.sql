UPDATE customers SET phone = $2 WHERE id = $1
