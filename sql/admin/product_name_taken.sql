-- Whether company $1 has another product (not $3, which may be null) called $2.
SELECT EXISTS (SELECT 1 FROM products WHERE company_id = $1 AND name = $2 AND id IS DISTINCT FROM $3)
