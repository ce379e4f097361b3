-- The company of case tag $1.
SELECT company_id FROM case_tags WHERE id = $1
