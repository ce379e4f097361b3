-- What the pair's poster is made of: the bound radar user's card, its company, the company's
-- mini-program app, and the binding's current code and poster. $1 radar user, $2 customer
SELECT u.username, u.position, u.mingpian_phone, u.wechat_phone, u.is_show_phone,
       COALESCE((SELECT p.photo_url FROM radar_user_photos p
                  WHERE p.user_id = u.id AND p.photo_type = 2 ORDER BY p.id DESC LIMIT 1),
                u.avatar) AS avatar,
       co.name AS company, a.authorization_appid AS appid, a.app_secret,
       COALESCE(a.three_services_type, 1::smallint) AS three_services_type,
       b.qr_code, b.poster_url
FROM customer_bindings b
JOIN radar_users u ON u.id = b.user_id AND u.status <> 3
JOIN companies co ON co.id = u.company_id
LEFT JOIN mini_program_apps a ON a.company_id = u.company_id
WHERE b.user_id = $1 AND b.customer_id = $2
