-- M33: one page of a visible diary's comments, newest first. With the company's moderation on,
-- only approved comments and the caller's own are shown.
-- $1 diary, $2 company, $3 customer (the caller), $4 limit (null = all), $5 offset
SELECT cm.id, cm.from_customer_id, cu.username, cu.headimgurl, cm.content, cm.create_date,
       count(*) OVER () AS total
FROM diary_comments cm
JOIN diaries d ON d.id = cm.diary_id
JOIN cases ca ON ca.id = d.case_id
JOIN companies co ON co.id = d.company_id
JOIN customers cu ON cu.id = cm.from_customer_id
WHERE cm.diary_id = $1 AND d.company_id = $2 AND d.status = 1 AND ca.status = 1
  AND (NOT co.comment_moderation OR cm.is_audit_pass = 1 OR cm.from_customer_id = $3)
ORDER BY cm.create_date DESC, cm.id DESC
LIMIT $4 OFFSET $5
