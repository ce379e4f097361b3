SELECT token FROM customers WHERE id = $1
