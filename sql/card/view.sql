-- M10 card view in one statement (spec §5.3): popularity += 1, the view log with its numbered remark
-- (RecordAction rules of sql/action/record.sql, inlined to keep this hot path at one round trip),
-- and everything the card shows. Only a radar user of the customer's own company can be viewed.
-- $1 radar user id, $2 customer id
WITH bump AS (
    UPDATE radar_users SET popularity = popularity + 1
    WHERE id = $1 AND status <> 3
      AND company_id = (SELECT company_id FROM customers WHERE id = $2)
    RETURNING id, username, memo_name, avatar, position, email, wechat, mingpian_phone, wechat_phone,
              is_show_phone, create_date, popularity, praise, forward, sign_num, sign, company_id
), seen AS (
    SELECT count(*) AS n FROM action_logs WHERE user_id = $1 AND customer_id = $2 AND action = 1
), remark AS (
    SELECT CASE WHEN n = 0 THEN '首次查看您的名片,沟通从此刻开始'
                WHEN n = 1 THEN '查看您的名片第1次,把握深度交流的机会'
                WHEN n = 2 THEN '查看您的名片第2次,建议标注重点客户'
                ELSE '查看您的名片第' || n || '次,成交在望' END AS text
    FROM seen
), ok AS (
    SELECT c.username AS customer_name
    FROM customers c, bump b JOIN companies co ON co.id = b.company_id
    WHERE c.id = $2 AND c.username IS NOT NULL
      AND (co.account_expired_time IS NULL OR co.account_expired_time >= now())
), logged AS (
    INSERT INTO action_logs (action, user_id, customer_id, remark)
    SELECT 1, $1, $2, remark.text FROM ok, remark
    RETURNING id
), touch AS (
    UPDATE customer_bindings SET last_activity_time = now()
    WHERE user_id = $1 AND customer_id = $2 AND EXISTS (SELECT 1 FROM logged)
)
SELECT b.id, b.username, b.memo_name, b.avatar, b.position, b.email, b.wechat, b.mingpian_phone,
       b.wechat_phone, b.is_show_phone, b.create_date, b.popularity, b.praise, b.forward, b.sign_num,
       b.sign, co.name AS company, co.address,
       (SELECT p.photo_url FROM radar_user_photos p
         WHERE p.user_id = b.id AND p.photo_type = 2 ORDER BY p.id DESC LIMIT 1) AS card_avatar,
       COALESCE((SELECT up FROM card_praises WHERE user_id = $1 AND customer_id = $2), false) AS is_praise,
       COALESCE((SELECT up FROM sign_praises WHERE user_id = $1 AND customer_id = $2), false) AS is_sign,
       (SELECT COALESCE(json_agg(json_build_object('id', t.id, 'name', t.name)
                                 ORDER BY t.create_date DESC, t.id DESC), '[]'::json)
          FROM radar_user_tags t WHERE t.user_id = b.id) AS tags,
       (SELECT customer_name FROM ok) AS logged_for,
       (SELECT text FROM remark) AS remark
FROM bump b JOIN companies co ON co.id = b.company_id
