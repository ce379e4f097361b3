-- Seed of the M27 benchmark database (run by m10_card_view.sh with SCENARIO=m27 after
-- `radar migrate`). One company with a case mini-program (three_services_type 2); :tags case tags;
-- :cases published cases (status 1), each with 1-3 tags and 1-5 published diaries plus one
-- unpublished diary newer than those (the list must skip it); :cases/10 unpublished and :cases/20
-- deleted cases (the list must skip them); :customers mini-program customers of the company
-- (token = md5(openid)). Dates are spread over the last 180 days, so the page order is by date.
-- psql variables: customers, cases, tags.
\set ON_ERROR_STOP on
BEGIN;

INSERT INTO companies (name, address, account_expired_time)
VALUES ('Case Co', '1 Case Road', now() + interval '1 year');
INSERT INTO mini_program_apps (company_id, authorization_appid, three_services_type, name)
SELECT id, 'wx_case_app', 2, 'Case App' FROM companies WHERE name = 'Case Co';

INSERT INTO case_tags (company_id, name, use_number)
SELECT c.id, 'tag' || g, 0 FROM generate_series(1, :tags) g, (SELECT id FROM companies WHERE name = 'Case Co') c;

-- status 1 for the first :cases, then 2 (unpublished), then 3 (deleted)
INSERT INTO cases (company_id, case_name, customer_name, headimgurl, cover_picture, status,
                   read_count, update_date, create_date)
SELECT c.id, 'Case ' || g, 'Owner ' || g, 'statics/imgs/owner_' || g || '.jpg',
       jsonb_build_array('statics/imgs/case_' || g || '_1.jpg', 'statics/imgs/case_' || g || '_2.jpg'),
       CASE WHEN g <= :cases THEN 1 WHEN g <= :cases + :cases / 10 THEN 2 ELSE 3 END,
       (g * 37) % 1000, now() - (g * 7919 % 180) * interval '1 day' - g * interval '1 minute',
       now() - interval '200 days' + g * interval '1 hour'
FROM generate_series(1, :cases + :cases / 10 + :cases / 20) g,
     (SELECT id FROM companies WHERE name = 'Case Co') c;

-- 1-3 tags per case, picked by a hash of (case, tag)
INSERT INTO case_tag_links (case_id, tag_id)
SELECT k.id, t.id
FROM cases k, LATERAL (SELECT ct.id FROM case_tags ct ORDER BY md5(k.id || '-' || ct.id)
                       LIMIT 1 + k.id % 3) t;
UPDATE case_tags ct SET use_number = (SELECT count(*) FROM case_tag_links l WHERE l.tag_id = ct.id);

-- 1-5 published diaries per case, and one newer unpublished diary
INSERT INTO diaries (company_id, case_id, title, summary, diary_date, cover_picture, content,
                     status, cover_show_type, create_date)
SELECT k.company_id, k.id, 'Diary ' || k.id || '.' || g, 'Summary of day ' || g,
       now() - (30 - g) * interval '1 day', jsonb_build_array('statics/imgs/diary_' || k.id || '_' || g || '.jpg'),
       to_jsonb('Content of diary ' || k.id || '.' || g || repeat(' lorem ipsum', 20)),
       CASE WHEN g <= 1 + k.id % 5 THEN 1 ELSE 2 END, 1 + g % 2,
       now() - (30 - g) * interval '1 day'
FROM cases k, generate_series(1, 2 + k.id % 5) g;

INSERT INTO customers (company_id, openid, token, user_type, username)
SELECT c.id, 'openid-' || g, md5('openid-' || g), 2, 'customer' || g
FROM generate_series(1, :customers) g, (SELECT id FROM companies WHERE name = 'Case Co') c;

COMMIT;
VACUUM ANALYZE;
