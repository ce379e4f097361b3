-- The company of a customer (null until login or binding set it). $1 customer
SELECT company_id FROM customers WHERE id = $1
