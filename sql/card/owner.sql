-- A radar user of the customer's own company, with what card endpoints show of it.
-- $1 radar user id, $2 customer id
SELECT u.id, u.username, u.memo_name, u.avatar, u.position, u.email, u.mingpian_phone, u.wechat_phone,
       u.qr_code, u.company_id, co.name AS company, co.shopping_type,
       (SELECT p.photo_url FROM radar_user_photos p
         WHERE p.user_id = u.id AND p.photo_type = 2 ORDER BY p.id DESC LIMIT 1) AS card_avatar
FROM radar_users u JOIN companies co ON co.id = u.company_id
WHERE u.id = $1 AND u.status <> 3
  AND u.company_id = (SELECT company_id FROM customers WHERE id = $2)
