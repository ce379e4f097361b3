-- Company $1's case tags, newest first. $2 name contains (null = any)
SELECT id, name, count(*) OVER () AS total
FROM case_tags
WHERE company_id = $1 AND ($2::text IS NULL OR strpos(name, $2) > 0)
ORDER BY create_date DESC, id DESC
