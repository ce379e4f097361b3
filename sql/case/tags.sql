-- M28: one page of the company's case tags, optionally those whose name contains $2.
-- $1 company, $2 substring (null = all), $3 limit (null = all), $4 offset
SELECT id, name, count(*) OVER () AS total
FROM case_tags
WHERE company_id = $1 AND ($2::text IS NULL OR strpos(name, $2) > 0)
ORDER BY id
LIMIT $3 OFFSET $4
