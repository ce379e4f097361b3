-- A page of company $1's radar users (not deleted), newest first, with card avatar and departments.
-- $2 username contains, $3 position contains, $4 department id, $5 status (all null = any),
-- $6 limit (null = all), $7 offset
SELECT u.id, u.userid, u.username, u.create_date, u.last_login_date, u.position, u.mingpian_phone,
       u.wechat_phone, u.avatar, u.qr_code, co.name AS company, u.company_id, u.gender, u.status,
       u.boss_status, u.article_admin_status,
       (SELECT p.photo_url FROM radar_user_photos p
         WHERE p.user_id = u.id AND p.photo_type = 2 ORDER BY p.id DESC LIMIT 1) AS card_avatar,
       ARRAY(SELECT d.id FROM radar_user_departments rd JOIN departments d ON d.id = rd.department_id
             WHERE rd.user_id = u.id ORDER BY d.id) AS department_ids,
       COALESCE((SELECT string_agg(d.name, ', ' ORDER BY d.id)
                 FROM radar_user_departments rd JOIN departments d ON d.id = rd.department_id
                 WHERE rd.user_id = u.id), '') AS department_names,
       count(*) OVER () AS total
FROM radar_users u JOIN companies co ON co.id = u.company_id
WHERE u.company_id = $1 AND u.status <> 3
  AND ($2::text IS NULL OR strpos(u.username, $2) > 0)
  AND ($3::text IS NULL OR strpos(u.position, $3) > 0)
  AND ($4::bigint IS NULL OR EXISTS (SELECT 1 FROM radar_user_departments rd
                                     WHERE rd.user_id = u.id AND rd.department_id = $4))
  AND ($5::smallint IS NULL OR u.status = $5)
ORDER BY u.create_date DESC, u.id DESC
LIMIT $6 OFFSET $7
