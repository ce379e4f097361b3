-- The company of each existing case tag among the ids $1.
SELECT id, company_id FROM case_tags WHERE id = ANY($1)
