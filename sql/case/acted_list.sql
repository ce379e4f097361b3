-- M36/M37: one page of the customer's footprints (action 3) or collections (action 2, status 1) on
-- the company's published cases, newest first, each with its tags and newest published diary;
-- `create_date` is when the customer browsed or collected. One round trip per page.
-- $1 customer, $2 action, $3 company, $4 limit (null = all), $5 offset
WITH page AS (
    SELECT c.id, c.case_name, c.company_id, c.customer_name, c.headimgurl, c.cover_picture,
           c.status, c.update_date, a.create_date,
           count(*) OVER () AS total,
           row_number() OVER (ORDER BY a.create_date DESC, a.id DESC) AS rn
    FROM case_diary_actions a JOIN cases c ON c.id = a.case_id
    WHERE a.customer_id = $1 AND a.action = $2 AND a.status = 1
      AND c.company_id = $3 AND c.status = 1
    ORDER BY rn
    LIMIT $4 OFFSET $5
)
SELECT p.id, p.case_name, p.company_id, p.customer_name, p.headimgurl, p.cover_picture, p.status,
       p.update_date, p.create_date, p.total,
       COALESCE(t.tags, '[]'::json) AS tags,
       d.id AS d_id, d.title AS d_title, d.diary_date AS d_diary_date,
       d.cover_picture AS d_cover_picture, d.content AS d_content, d.status AS d_status,
       d.cover_show_type AS d_cover_show_type, d.create_date AS d_create_date
FROM page p
LEFT JOIN LATERAL (
    SELECT json_agg(json_build_object('id', ct.id, 'name', ct.name) ORDER BY ct.id) AS tags
    FROM case_tag_links l JOIN case_tags ct ON ct.id = l.tag_id
    WHERE l.case_id = p.id
) t ON true
LEFT JOIN LATERAL (
    SELECT id, title, diary_date, cover_picture, content, status, cover_show_type, create_date
    FROM diaries
    WHERE case_id = p.id AND status = 1
    ORDER BY create_date DESC, id DESC
    LIMIT 1
) d ON true
ORDER BY p.rn
