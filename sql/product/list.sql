-- Products on a card: the company's products and the radar user's own, not withdrawn (status 2).
-- $1 company, $2 radar user, $3 order key, $4 limit (null = all), $5 offset
SELECT id, name, price, reason, content -> 'cover_data' AS cover_data, status, create_date,
       count(*) OVER () AS total
FROM products
WHERE company_id = $1 AND (user_id IS NULL OR user_id = $2) AND status <> 2
ORDER BY CASE WHEN $3 = '-recommend_index' THEN recommend_index END DESC,
         CASE WHEN $3 = '-create_date' THEN create_date END DESC,
         CASE WHEN $3 = 'create_date' THEN create_date END ASC,
         id DESC
LIMIT $4 OFFSET $5
