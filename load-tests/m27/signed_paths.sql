-- Prints :n signed M27 request paths (first page of 20 cases), one per line, for uniformly random
-- customers of the seed: the same distribution as the pgbench script's `random(:cmin, :cmax)`.
-- rand_str = md5(timestamp || customers.token) (spec §2.2); the timestamp is "now", so the paths
-- stay valid for the server's 900 s window. psql variable: n.
WITH ids AS (
    SELECT (SELECT min(id) FROM customers) AS cmin, (SELECT max(id) FROM customers) AS cmax,
           (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text AS ts
), picks AS (
    SELECT g, ids.ts, ids.cmin + floor(random() * (ids.cmax - ids.cmin + 1))::bigint AS cid
    FROM ids, generate_series(1, :n) g
)
SELECT '/zhugeleida/xiaochengxu/case_manage/case_list?user_id=' || p.cid || '&timestamp=' || p.ts
       || '&rand_str=' || md5(p.ts || c.token) || '&company_id=' || c.company_id
       || '&current_page=1&length=20'
FROM picks p JOIN customers c ON c.id = p.cid
ORDER BY p.g;
