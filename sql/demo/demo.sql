-- Demo data for the embedded default and `radar demo`: one company with its mini-program app, two
-- enabled radar users with cards, photos and tags, products, website content, and one customer who
-- has authorized (so the radar feed fills up). Passwords, tokens and the service period (from the
-- Shanghai day) are set by src/demo.rs; the pictures the rows name are drawn by src/statics.rs.
WITH co AS (
    INSERT INTO companies (name, area, address, website_content, mingpian_available_num,
                           charging_start_time, open_length_time, account_expired_time, shopping_type)
    VALUES ('诸葛雷达演示公司', '北京', '北京市海淀区中关村大街1号',
            '[{"type":"guntu","data":[{"picture_url":"statics/demo/banner1.jpg"},{"picture_url":"statics/demo/banner2.jpg"}]},
              {"type":"content","data":[{"title":"关于我们","content":"我们用名片雷达连接每一位客户。"}]}]',
            100, NULL, 12, NULL, 1)
    RETURNING id
), app AS (
    INSERT INTO mini_program_apps (company_id, authorization_appid, app_secret, version_num, name)
    SELECT id, 'wx4f4bc4dec97d474b', 'demo-secret', '1.0.0', '诸葛雷达名片' FROM co
), u1 AS (
    INSERT INTO radar_users (userid, login_user, username, gender, company_id, position, telephone,
                             wechat_phone, wechat, email, mingpian_phone, status, sign, token)
    SELECT '1000001', 'zhangwei', '张伟', 1, id, '销售总监', '010-88886666', '13800000001',
           'zhangwei_radar', 'zhangwei@example.com', '13800000001', 1, '专业、靠谱、随叫随到', 'pending-1'
    FROM co RETURNING id
), u2 AS (
    INSERT INTO radar_users (userid, login_user, username, gender, company_id, position, wechat_phone,
                             wechat, email, status, sign, token)
    SELECT '1000002', 'lina', '李娜', 2, id, '客户经理', '13800000002', 'lina_radar',
           'lina@example.com', 1, '您的满意是我最大的动力 😊', 'pending-2'
    FROM co RETURNING id
), photos AS (
    INSERT INTO radar_user_photos (user_id, photo_type, photo_url, "order")
    SELECT id, 2, 'statics/demo/zhangwei_avatar.jpg', 0 FROM u1
    UNION ALL SELECT id, 1, 'statics/demo/zhangwei_wall1.jpg', 1 FROM u1
    UNION ALL SELECT id, 2, 'statics/demo/lina_avatar.jpg', 0 FROM u2
), tags AS (
    INSERT INTO radar_user_tags (user_id, name)
    SELECT id, t FROM u1, unnest(ARRAY['诚信', '专业', '十年经验']) AS t
    UNION ALL SELECT id, t FROM u2, unnest(ARRAY['耐心', '细致']) AS t
), products AS (
    INSERT INTO products (company_id, user_id, name, price, reason, content, status, recommend_index)
    SELECT co.id, NULL::bigint, '名片雷达标准版', '1980元/年', '销售团队的第一张智能名片',
           '{"cover_data":[{"type":"picture_url","data":["statics/demo/product1.jpg"]}],
             "article_data":[{"type":"title","data":["标准版"]},{"type":"content","data":["名片、产品、官网、实时聊天。"]}]}'::jsonb,
           3, 10 FROM co
    UNION ALL
    SELECT co.id, NULL::bigint, '名片雷达企业版', '50-1380元', '多部门协同与客户分配',
           '{"cover_data":[{"type":"picture_url","data":["statics/demo/product2.jpg"]}],"article_data":[]}'::jsonb,
           1, 5 FROM co
    UNION ALL
    SELECT co.id, u1.id, '张伟的私人定制服务', '面议', '一对一上门演示',
           '{"cover_data":[{"type":"picture_url","data":["statics/demo/product3.jpg"]}],"article_data":[]}'::jsonb,
           1, 0 FROM co, u1
)
INSERT INTO customers (company_id, openid, user_type, username, headimgurl, city, province, country,
                       language, token)
SELECT id, 'demo-customer-openid', 2, '王小明', 'statics/imgs/Avator.jpg', 'Beijing', 'Beijing', 'CN',
       'zh_CN', 'pending-c' FROM co;
