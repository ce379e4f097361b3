-- Seed of the M10 benchmark database (run by m10_card_view.sh after `radar migrate`).
-- One active company; :radar_users radar users (status 1, two tags and a card avatar each, so the
-- card's sub-queries have rows to read); :customers mini-program customers of that company, each
-- with a username, so every card view writes an action_logs row; and :history earlier views
-- (uniform random pairs over the last 90 days), so that action_logs is not empty when the server's
-- connections prepare view_batch.sql: a plan cached while the table is empty keeps a sequential scan of
-- action_logs until autovacuum's next ANALYZE, which made runs depend on autovacuum's timing.
-- psql variables: radar_users, customers, history.
\set ON_ERROR_STOP on
BEGIN;

INSERT INTO companies (name, address, account_expired_time)
VALUES ('Bench Co', '1 Bench Road', now() + interval '1 year');

INSERT INTO radar_users (username, company_id, position, email, wechat, mingpian_phone, status,
                         sign, token)
SELECT 'user' || g, c.id, 'Sales', 'user' || g || '@bench.test', 'wx_user' || g,
       '1380000' || lpad(g::text, 4, '0'), 1, 'Hello from user ' || g, md5('radar-user-' || g)
FROM generate_series(1, :radar_users) g, (SELECT id FROM companies WHERE name = 'Bench Co') c;

INSERT INTO radar_user_tags (user_id, name)
SELECT u.id, t.name FROM radar_users u, (VALUES ('reliable'), ('fast')) t (name);

INSERT INTO radar_user_photos (user_id, photo_type, photo_url)
SELECT u.id, 2, 'statics/imgs/card_' || u.id || '.jpg' FROM radar_users u;

INSERT INTO customers (company_id, openid, token, user_type, username)
SELECT c.id, 'openid-' || g, md5('openid-' || g), 2, 'customer' || g
FROM generate_series(1, :customers) g, (SELECT id FROM companies WHERE name = 'Bench Co') c;

-- Every customer is bound to every radar user (as after M2), so each logged view also moves its
-- binding's last_activity_time, as in production.
INSERT INTO customer_bindings (user_id, customer_id, source)
SELECT u.id, c.id, 1 FROM radar_users u, customers c;

INSERT INTO action_logs (action, user_id, customer_id, remark, is_new_msg, create_date)
SELECT 1, u.min + floor(random() * (u.max - u.min + 1))::bigint,
       c.min + floor(random() * (c.max - c.min + 1))::bigint,
       '查看您的名片第1次,把握深度交流的机会', false, now() - random() * interval '90 days'
FROM generate_series(1, :history) g,
     (SELECT min(id), max(id) FROM radar_users) u, (SELECT min(id), max(id) FROM customers) c;

COMMIT;
VACUUM ANALYZE;
