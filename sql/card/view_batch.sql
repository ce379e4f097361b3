-- M10 card views in one statement for a whole batch (spec §5.3; group commit in src/card_views.rs):
-- for each (radar user, customer) pair, in input order, as if run one after another: popularity
-- += 1, the view log with its numbered remark (RecordAction rules of sql/action/record.sql, inlined
-- to keep this hot path at one round trip), the binding's activity time, and everything the card
-- shows. Only a radar user of the customer's own company can be viewed; other pairs get no row.
-- $1 radar user ids, $2 customer ids (same length). One row per counted view, keyed by `ord`
-- (1-based position in the input).
WITH input AS (
    SELECT t.ord, t.uid, t.cid, c.username AS customer_name, c.company_id AS customer_company
    FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS t(uid, cid, ord)
    LEFT JOIN customers c ON c.id = t.cid
), owners AS (
    -- The viewed radar users, locked in key order so that batches of several nodes never wait on
    -- each other in a cycle.
    SELECT r.id, r.company_id FROM radar_users r
    WHERE r.id IN (SELECT uid FROM input) AND r.status <> 3
    ORDER BY r.id
    FOR NO KEY UPDATE
), views AS (
    SELECT i.ord, i.uid, i.cid, i.customer_name,
           row_number() OVER (PARTITION BY i.uid ORDER BY i.ord) AS nth_of_owner,
           i.customer_name IS NOT NULL
               AND (co.account_expired_time IS NULL OR co.account_expired_time >= now()) AS logs
    FROM input i
    JOIN owners o ON o.id = i.uid AND o.company_id = i.customer_company
    JOIN companies co ON co.id = o.company_id
), bump AS (
    UPDATE radar_users r SET popularity = r.popularity + v.n
    FROM (SELECT uid, count(*) AS n FROM views GROUP BY uid) v
    WHERE r.id = v.uid
    RETURNING r.id, r.popularity - v.n AS popularity_before, r.username, r.memo_name, r.avatar,
              r.position, r.email, r.wechat, r.mingpian_phone, r.wechat_phone, r.is_show_phone,
              r.create_date, r.praise, r.forward, r.sign_num, r.sign, r.company_id
), numbered AS (
    -- n = views of this pair logged before this one (earlier rows, then earlier in the batch).
    SELECT v.*,
           CASE WHEN v.logs THEN
               (SELECT count(*) FROM action_logs a
                 WHERE a.user_id = v.uid AND a.customer_id = v.cid AND a.action = 1)
               + count(*) FILTER (WHERE v.logs) OVER (PARTITION BY v.uid, v.cid ORDER BY v.ord) - 1
           END AS n
    FROM views v
), remark AS (
    SELECT numbered.*,
           CASE WHEN n IS NULL THEN ''
                WHEN n = 0 THEN '首次查看您的名片,沟通从此刻开始'
                WHEN n = 1 THEN '查看您的名片第1次,把握深度交流的机会'
                WHEN n = 2 THEN '查看您的名片第2次,建议标注重点客户'
                ELSE '查看您的名片第' || n || '次,成交在望' END AS text
    FROM numbered
), logged AS (
    INSERT INTO action_logs (action, user_id, customer_id, remark)
    SELECT 1, uid, cid, text FROM remark WHERE logs ORDER BY ord
    RETURNING id
), locked_bindings AS (
    SELECT b.id FROM customer_bindings b
    WHERE (b.user_id, b.customer_id) IN (SELECT uid, cid FROM remark WHERE logs)
    ORDER BY b.user_id, b.customer_id
    FOR NO KEY UPDATE
), touch AS (
    UPDATE customer_bindings SET last_activity_time = now()
    WHERE id IN (SELECT id FROM locked_bindings)
), cards AS MATERIALIZED (
    -- What the card shows that does not depend on the viewer, once per radar user.
    SELECT b.*, co.name AS company, co.address,
           (SELECT p.photo_url FROM radar_user_photos p
             WHERE p.user_id = b.id AND p.photo_type = 2 ORDER BY p.id DESC LIMIT 1) AS card_avatar,
           (SELECT COALESCE(json_agg(json_build_object('id', t.id, 'name', t.name)
                                     ORDER BY t.create_date DESC, t.id DESC), '[]'::json)
              FROM radar_user_tags t WHERE t.user_id = b.id) AS tags
    FROM bump b JOIN companies co ON co.id = b.company_id
)
SELECT v.ord, c.id, c.username, c.memo_name, c.avatar, c.position, c.email, c.wechat,
       c.mingpian_phone, c.wechat_phone, c.is_show_phone, c.create_date,
       (c.popularity_before + v.nth_of_owner)::int AS popularity, c.praise, c.forward, c.sign_num,
       c.sign, c.company, c.address, c.card_avatar, c.tags,
       COALESCE((SELECT up FROM card_praises WHERE user_id = v.uid AND customer_id = v.cid), false) AS is_praise,
       COALESCE((SELECT up FROM sign_praises WHERE user_id = v.uid AND customer_id = v.cid), false) AS is_sign,
       CASE WHEN v.logs THEN v.customer_name END AS logged_for,
       v.text AS remark
FROM remark v
JOIN cards c ON c.id = v.uid
