-- M31: one page of the company's published diaries of published cases, with the day number within
-- their case ("第 N 天": whole days since the case's earliest published `diary_date`) and whether
-- the customer praises each, in one round trip whatever the page size.
-- $1 company, $2 customer, $3 diary id (null = all), $4 title substring (null = any),
-- $5 case id (null = all), $6 order key, $7 limit (null = all), $8 offset
WITH page AS (
    SELECT d.id, d.case_id, d.company_id, d.title, d.diary_date, d.cover_picture, d.content,
           d.status, d.read_count, d.comment_count, d.up_count, d.cover_show_type, d.create_date,
           count(*) OVER () AS total,
           row_number() OVER (ORDER BY
               CASE WHEN $6::text = '-create_date' THEN d.create_date END DESC,
               CASE WHEN $6::text = 'create_date' THEN d.create_date END ASC,
               CASE WHEN $6::text = '-diary_date' THEN d.diary_date END DESC,
               CASE WHEN $6::text = 'diary_date' THEN d.diary_date END ASC,
               d.id DESC) AS rn
    FROM diaries d JOIN cases c ON c.id = d.case_id
    WHERE d.company_id = $1 AND d.status = 1 AND c.status = 1
      AND ($3::bigint IS NULL OR d.id = $3)
      AND ($4::text IS NULL OR strpos(d.title, $4) > 0)
      AND ($5::bigint IS NULL OR d.case_id = $5)
    ORDER BY rn
    LIMIT $7 OFFSET $8
)
SELECT p.id, p.case_id, p.company_id, p.title, p.diary_date, p.cover_picture, p.content, p.status,
       p.read_count, p.comment_count, p.up_count, p.cover_show_type, p.create_date, p.total,
       floor(extract(epoch FROM p.diary_date - f.first_date) / 86400)::bigint AS interval_days,
       EXISTS (SELECT 1 FROM case_diary_actions a
               WHERE a.action = 1 AND a.customer_id = $2 AND a.diary_id = p.id AND a.status = 1)
           AS is_praise
FROM page p
LEFT JOIN LATERAL (
    SELECT min(e.diary_date) AS first_date FROM diaries e WHERE e.case_id = p.case_id AND e.status = 1
) f ON true
ORDER BY p.rn
