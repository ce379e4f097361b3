-- How many of the department ids $2 belong to company $1.
SELECT count(*) FROM departments WHERE company_id = $1 AND id = ANY($2)
