-- The company of case $1, unless it is deleted.
SELECT company_id FROM cases WHERE id = $1 AND status <> 3
