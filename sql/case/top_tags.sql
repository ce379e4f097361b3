-- M30: the company's 13 most searched tags, and how many tags it has. $1 company
SELECT id, name, count(*) OVER () AS total
FROM case_tags
WHERE company_id = $1
ORDER BY search_amount DESC, id
LIMIT 13
