-- A page of company $1's live diaries (of live cases), with the whole days since the earliest
-- live diary_date of the same case. $2 diary id, $3 status (null = 1 and 2), $4 title contains,
-- $5 case id (null = any of each), $6 order key, $7 limit (null = all), $8 offset
SELECT d.id, d.case_id, d.company_id, d.title, d.summary, d.diary_date, d.cover_picture, d.content,
       d.status, d.cover_show_type, d.read_count, d.comment_count, d.up_count, d.create_date,
       c.case_name,
       EXTRACT(day FROM d.diary_date - (
           SELECT min(e.diary_date) FROM diaries e WHERE e.case_id = d.case_id AND e.status <> 3
       ))::integer AS interval_days,
       count(*) OVER () AS total
FROM diaries d
JOIN cases c ON c.id = d.case_id AND c.status <> 3
WHERE d.company_id = $1 AND d.status <> 3
  AND ($2::bigint IS NULL OR d.id = $2)
  AND ($3::smallint IS NULL OR d.status = $3)
  AND ($4::text IS NULL OR strpos(d.title, $4) > 0)
  AND ($5::bigint IS NULL OR d.case_id = $5)
ORDER BY CASE WHEN $6 = '-create_date' THEN d.create_date END DESC,
         CASE WHEN $6 = 'create_date' THEN d.create_date END ASC,
         CASE WHEN $6 = '-diary_date' THEN d.diary_date END DESC,
         CASE WHEN $6 = 'diary_date' THEN d.diary_date END ASC,
         d.id DESC
LIMIT $7 OFFSET $8
