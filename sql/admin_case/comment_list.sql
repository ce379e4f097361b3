-- A page of the comments on company $1's live diaries, newest first, with the diary title and the
-- author. $2 is_audit_pass (null = any), $3 limit (null = all), $4 offset
SELECT c.id, c.diary_id, d.title AS diary_title, c.from_customer_id, cu.username AS customer_name,
       cu.headimgurl AS customer_headimgurl, c.content, c.is_audit_pass, c.create_date,
       count(*) OVER () AS total
FROM diary_comments c
JOIN diaries d ON d.id = c.diary_id
JOIN customers cu ON cu.id = c.from_customer_id
WHERE d.company_id = $1 AND d.status <> 3
  AND ($2::smallint IS NULL OR c.is_audit_pass = $2)
ORDER BY c.create_date DESC, c.id DESC
LIMIT $3 OFFSET $4
