-- R6 the radar feed (spec §7 `action/time`): the signed radar user's action logs, newest first,
-- one page, and the number of logs matched; the page's rows are marked seen (is_new_msg = false)
-- by the same statement, while `is_new` still reports what they were before.
-- $1 radar user, $2 customer (null = all), $3 action (null = all), $4 created at or after (null =
-- open), $5 created before (null = open), $6 only ids above (null = all), $7 limit, $8 offset.
-- Always one row at least: an empty page gives one row with a null id and the total.
WITH matched AS (
    SELECT a.id, a.create_date FROM action_logs a
    WHERE a.user_id = $1
      AND ($2::bigint IS NULL OR a.customer_id = $2)
      AND ($3::smallint IS NULL OR a.action = $3)
      AND ($4::timestamptz IS NULL OR a.create_date >= $4)
      AND ($5::timestamptz IS NULL OR a.create_date < $5)
      AND ($6::bigint IS NULL OR a.id > $6)
), page AS (
    SELECT a.id, a.action, a.customer_id, a.remark, a.is_new_msg, a.diary_id, a.video_id,
           a.create_date
    FROM action_logs a
    WHERE a.id IN (SELECT id FROM matched ORDER BY create_date DESC, id DESC LIMIT $7 OFFSET $8)
), seen AS (
    UPDATE action_logs SET is_new_msg = false
    WHERE id IN (SELECT id FROM page WHERE is_new_msg)
)
SELECT p.id, p.action, p.customer_id, p.remark, p.is_new_msg AS is_new, p.diary_id, p.video_id,
       p.create_date, c.username, c.headimgurl, c.user_type, t.total
FROM (SELECT count(*) AS total FROM matched) t
LEFT JOIN page p ON true
LEFT JOIN customers c ON c.id = p.customer_id
ORDER BY p.create_date DESC, p.id DESC
