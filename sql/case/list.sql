-- M27: one page of the company's published cases, each with its tags and (when $8) its newest
-- published diary, and the number of matching cases, in one round trip whatever the page size.
-- $1 company, $2 case id (null = all), $3 tag id (null = any), $4 customer_name substring
-- (null = any), $5 order key, $6 limit (null = all), $7 offset, $8 with the newest diary.
-- A template (store::case::list_sql): a line marked `-- only if $n` is kept only when argument n
-- is given, and $5 is written as a constant, so each combination gets its own plan and the order
-- folds to plain columns (`c.update_date DESC NULLS LAST, c.id DESC` for '-update_date').
-- The page is `ORDER BY … LIMIT` so that the partial indexes of V17 hand over its rows in order
-- (reading `limit + offset` rows), and the total is a count of its own (an InitPlan run once):
-- counting and numbering every matching row in window functions read and sorted all of them.
WITH page AS (
    SELECT c.id, c.case_name, c.company_id, c.customer_name, c.headimgurl, c.cover_picture,
           c.status, c.update_date, c.create_date
    FROM cases c
    WHERE c.company_id = $1 AND c.status = 1
      AND c.id = $2 -- only if $2
      AND EXISTS (SELECT 1 FROM case_tag_links l WHERE l.case_id = c.id AND l.tag_id = $3) -- only if $3
      AND strpos(c.customer_name, $4) > 0 -- only if $4
    ORDER BY
        CASE WHEN $5::text = '-update_date' THEN c.update_date END DESC NULLS LAST,
        CASE WHEN $5::text = 'update_date' THEN c.update_date END ASC NULLS FIRST,
        CASE WHEN $5::text = '-create_date' THEN c.create_date END DESC,
        CASE WHEN $5::text = 'create_date' THEN c.create_date END ASC,
        c.id DESC
    LIMIT $6 OFFSET $7
)
SELECT p.id, p.case_name, p.company_id, p.customer_name, p.headimgurl, p.cover_picture, p.status,
       p.update_date, p.create_date,
       -- the same conditions as the page's
       (SELECT count(*) FROM cases c
        WHERE c.company_id = $1 AND c.status = 1
          AND c.id = $2 -- only if $2
          AND EXISTS (SELECT 1 FROM case_tag_links l WHERE l.case_id = c.id AND l.tag_id = $3) -- only if $3
          AND strpos(c.customer_name, $4) > 0 -- only if $4
       ) AS total,
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
    WHERE $8::boolean AND case_id = p.id AND status = 1
    ORDER BY create_date DESC, id DESC
    LIMIT 1
) d ON true
-- The page's order again: the joins above keep it, so the planner adds no sort (the order's keys
-- carried out of `page` as columns would be re-sorted: the constants do not cross the subquery).
ORDER BY
    CASE WHEN $5::text = '-update_date' THEN p.update_date END DESC NULLS LAST,
    CASE WHEN $5::text = 'update_date' THEN p.update_date END ASC NULLS FIRST,
    CASE WHEN $5::text = '-create_date' THEN p.create_date END DESC,
    CASE WHEN $5::text = 'create_date' THEN p.create_date END ASC,
    p.id DESC
