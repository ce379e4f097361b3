-- A page of live companies with their counts.
-- $1 name contains (null = any), $2 admin_is_hidden (null = any), $3 only this company (null = all),
-- $4 order key, $5 limit (null = all), $6 offset
SELECT co.id, co.name, co.charging_start_time, co.open_length_time, co.mingpian_available_num,
       co.remarks, co.create_date, co.is_show_jszc, co.account_expired_time,
       co.product_function_type, co.xcx_qr_code, co.admin_is_hidden,
       (SELECT count(*) FROM radar_users u WHERE u.company_id = co.id AND u.status <> 3) AS user_count,
       (SELECT count(*) FROM customers c WHERE c.company_id = co.id) AS customer_num,
       count(*) OVER () AS total
FROM companies co
WHERE co.status <> 3
  AND ($1::text IS NULL OR strpos(co.name, $1) > 0)
  AND ($2::smallint IS NULL OR co.admin_is_hidden = $2)
  AND ($3::bigint IS NULL OR co.id = $3)
ORDER BY CASE WHEN $4 = '-create_date' THEN co.create_date END DESC,
         CASE WHEN $4 = 'create_date' THEN co.create_date END ASC,
         co.id DESC
LIMIT $5 OFFSET $6
