-- Everything chat items show of a pair: the radar user's card and the customer.
-- $1 radar user, $2 customer. A row only when both exist and share a company.
SELECT u.id AS radar_user, c.id AS customer, u.username, u.position, u.avatar,
       COALESCE((SELECT p.photo_url FROM radar_user_photos p
                  WHERE p.user_id = u.id AND p.photo_type = 2 ORDER BY p.id DESC LIMIT 1), u.avatar) AS card_avatar,
       COALESCE(NULLIF(u.mingpian_phone, ''), u.wechat_phone, '') AS mingpian_phone,
       COALESCE(NULLIF(u.wechat, ''), u.wechat_phone, '') AS wechat,
       u.company_id, c.username AS customer_name, c.headimgurl, c.user_type, c.is_subscribe,
       co.shopping_type
FROM radar_users u JOIN customers c ON c.id = $2 JOIN companies co ON co.id = u.company_id
WHERE u.id = $1 AND u.status <> 3 AND c.company_id = u.company_id
