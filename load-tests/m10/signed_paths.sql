-- Prints :n signed M10 request paths, one per line, for uniformly random (customer, radar user)
-- pairs of the seed: the same distribution as the pgbench script's `random(:cmin, :cmax)` and
-- `random(:umin, :umax)`. rand_str = md5(timestamp || customers.token) (spec §2.2); the timestamp
-- is "now", so the paths stay valid for the server's 900 s window. psql variable: n.
WITH ids AS (
    SELECT (SELECT min(id) FROM customers) AS cmin, (SELECT max(id) FROM customers) AS cmax,
           (SELECT min(id) FROM radar_users) AS umin, (SELECT max(id) FROM radar_users) AS umax,
           (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text AS ts
), pairs AS (
    SELECT g, ids.ts,
           ids.cmin + floor(random() * (ids.cmax - ids.cmin + 1))::bigint AS cid,
           ids.umin + floor(random() * (ids.umax - ids.umin + 1))::bigint AS uid
    FROM ids, generate_series(1, :n) g
)
SELECT '/zhugeleida/xiaochengxu/mingpian?user_id=' || p.cid || '&uid=' || p.uid
       || '&timestamp=' || p.ts || '&rand_str=' || md5(p.ts || c.token)
FROM pairs p JOIN customers c ON c.id = p.cid
ORDER BY p.g;
