-- A page of company $1's products of one kind, with their publisher.
-- $2 personal (true = radar users' own products, false = company products), $3 name contains
-- (null = any), $4 statuses, $5 order key, $6 limit (null = all), $7 offset
SELECT p.id, p.name, p.price, p.content -> 'cover_data' AS cover_data, p.status,
       p.recommend_index, p.create_date, COALESCE(u.username, co.name) AS publisher,
       count(*) OVER () AS total
FROM products p
JOIN companies co ON co.id = p.company_id
LEFT JOIN radar_users u ON u.id = p.user_id
WHERE p.company_id = $1 AND (p.user_id IS NOT NULL) = $2
  AND ($3::text IS NULL OR strpos(p.name, $3) > 0)
  AND p.status = ANY($4)
ORDER BY CASE WHEN $5 = '-recommend_index' THEN p.recommend_index END DESC,
         CASE WHEN $5 = '-create_date' THEN p.create_date END DESC,
         CASE WHEN $5 = 'create_date' THEN p.create_date END ASC,
         p.id DESC
LIMIT $6 OFFSET $7
