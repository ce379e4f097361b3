-- One product of company $1 with its publisher and owner. $2 product
SELECT p.id, p.name, p.price, p.reason, p.content, p.status, p.recommend_index, p.create_date,
       p.user_id, COALESCE(u.username, co.name) AS publisher, u.username, u.position, u.avatar,
       (SELECT ph.photo_url FROM radar_user_photos ph
         WHERE ph.user_id = u.id AND ph.photo_type = 2 ORDER BY ph.id DESC LIMIT 1) AS card_avatar
FROM products p
JOIN companies co ON co.id = p.company_id
LEFT JOIN radar_users u ON u.id = p.user_id
WHERE p.company_id = $1 AND p.id = $2
