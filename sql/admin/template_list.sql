-- A page of website templates, newest first. $1 limit (null = all), $2 offset
SELECT id, name, template_content, create_date, count(*) OVER () AS total
FROM website_templates
ORDER BY create_date DESC, id DESC
LIMIT $1 OFFSET $2
