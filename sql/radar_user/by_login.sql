-- A radar user by login name, with what radar login needs.
SELECT u.id, u.username, u.position, u.password, u.token, u.status, u.company_id, u.avatar, u.last_login_date,
       co.account_expired_time,
       (SELECT p.photo_url FROM radar_user_photos p
         WHERE p.user_id = u.id AND p.photo_type = 2 ORDER BY p.id DESC LIMIT 1) AS card_avatar
FROM radar_users u JOIN companies co ON co.id = u.company_id
WHERE u.login_user = $1 AND u.status <> 3 AND co.status <> 3
