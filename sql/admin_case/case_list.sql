-- A page of company $1's cases that are not deleted, with their tags and newest live diary.
-- $2 case id (null = any), $3 status (null = 1 and 2), $4 customer_name contains (null = any),
-- $5 order key, $6 limit (null = all), $7 offset
SELECT c.id, c.company_id, c.case_name, c.customer_name, c.headimgurl, c.cover_picture, c.status,
       c.update_date, c.create_date,
       COALESCE((SELECT json_agg(json_build_object('id', t.id, 'name', t.name) ORDER BY t.id)
                 FROM case_tag_links l JOIN case_tags t ON t.id = l.tag_id
                 WHERE l.case_id = c.id), '[]'::json) AS tag_list,
       ld.id AS ld_id, ld.title AS ld_title, ld.diary_date AS ld_diary_date,
       ld.cover_picture AS ld_cover_picture, ld.content AS ld_content, ld.status AS ld_status,
       ld.cover_show_type AS ld_cover_show_type, ld.create_date AS ld_create_date,
       count(*) OVER () AS total
FROM cases c
LEFT JOIN LATERAL (
    SELECT d.id, d.title, d.diary_date, d.cover_picture, d.content, d.status, d.cover_show_type,
           d.create_date
    FROM diaries d
    WHERE d.case_id = c.id AND d.status <> 3
    ORDER BY d.create_date DESC, d.id DESC
    LIMIT 1
) ld ON true
WHERE c.company_id = $1 AND c.status <> 3
  AND ($2::bigint IS NULL OR c.id = $2)
  AND ($3::smallint IS NULL OR c.status = $3)
  AND ($4::text IS NULL OR strpos(c.customer_name, $4) > 0)
ORDER BY CASE WHEN $5 = '-update_date' THEN c.update_date END DESC NULLS LAST,
         CASE WHEN $5 = 'update_date' THEN c.update_date END ASC NULLS FIRST,
         CASE WHEN $5 = '-create_date' THEN c.create_date END DESC,
         CASE WHEN $5 = 'create_date' THEN c.create_date END ASC,
         c.id DESC
LIMIT $6 OFFSET $7
