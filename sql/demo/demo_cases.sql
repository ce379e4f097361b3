-- Demo data of the case app (spec §5.7): a separate company '美丽人生医美' with a case mini-program
-- (three_services_type 2), tags, published, unpublished and deleted cases with diaries, and one
-- customer who has searched, browsed, collected, praised and commented, so every case endpoint
-- shows real output on first start. The customer's token ('pending-case') and the service period
-- are set by src/demo.rs.
WITH co AS (
    INSERT INTO companies (name, area, address, mingpian_available_num, charging_start_time,
                           open_length_time, account_expired_time, shopping_type,
                           product_function_type)
    VALUES ('美丽人生医美', '上海', '上海市静安区南京西路1000号', 10, NULL, 12, NULL, 1, 4)
    RETURNING id
), app AS (
    INSERT INTO mini_program_apps (company_id, authorization_appid, app_secret, version_num,
                                   three_services_type, name)
    SELECT id, 'wx5a1b2c3d4e5f6a7b', 'demo-case-secret', '1.0.0', 2, '美丽人生案例库' FROM co
), new_tags AS (
    INSERT INTO case_tags (company_id, name, search_amount, use_number)
    SELECT co.id, t.name, t.amount, t.used
    FROM co, (VALUES ('双眼皮', 42, 2), ('隆鼻', 35, 1), ('玻尿酸', 28, 1), ('美白', 17, 1),
                     ('祛斑', 9, 1), ('瘦脸', 5, 1), ('脱毛', 0, 0)) AS t (name, amount, used)
    RETURNING id, name
), new_cases AS (
    INSERT INTO cases (company_id, case_name, customer_name, headimgurl, cover_picture, status,
                       read_count, update_date, create_date)
    SELECT co.id, c.case_name, c.customer_name, c.headimg, c.cover::jsonb, c.status, c.reads,
           now() - c.updated, now() - c.created
    FROM co, (VALUES
        ('小雅的双眼皮日记', '小雅', 'statics/demo/case_avatar1.jpg',
         '["statics/demo/case1_cover.jpg"]', 1::smallint, 128, interval '1 day', interval '40 days'),
        ('阿敏的隆鼻之旅', '阿敏', 'statics/demo/case_avatar2.jpg',
         '["statics/demo/case2_cover.jpg"]', 1::smallint, 96, interval '3 days', interval '35 days'),
        ('玻尿酸填充苹果肌', '琳琳', 'statics/demo/case_avatar3.jpg',
         '["statics/demo/case3_cover.jpg"]', 1::smallint, 54, interval '6 days', interval '20 days'),
        ('一个月美白焕肤', '晓晓', 'statics/demo/case_avatar4.jpg',
         '["statics/demo/case4_cover.jpg"]', 1::smallint, 12, interval '10 days', interval '12 days'),
        ('瘦脸针体验（即将发布）', '婷婷', 'statics/imgs/Avator.jpg',
         '["statics/demo/case5_cover.jpg"]', 2::smallint, 0, interval '2 days', interval '5 days'),
        ('祛斑疗程记录（草稿）', '小美', 'statics/imgs/Avator.jpg',
         '[]', 2::smallint, 0, interval '1 day', interval '3 days'),
        ('已删除的旧案例', '旧客户', 'statics/imgs/Avator.jpg',
         '[]', 3::smallint, 3, interval '60 days', interval '90 days')
    ) AS c (case_name, customer_name, headimg, cover, status, reads, updated, created)
    RETURNING id, case_name, company_id
), links AS (
    INSERT INTO case_tag_links (case_id, tag_id)
    SELECT new_cases.id, new_tags.id
    FROM new_cases JOIN (VALUES ('小雅的双眼皮日记', '双眼皮'), ('小雅的双眼皮日记', '美白'),
                            ('阿敏的隆鼻之旅', '隆鼻'), ('阿敏的隆鼻之旅', '玻尿酸'),
                            ('玻尿酸填充苹果肌', '玻尿酸'), ('一个月美白焕肤', '美白'),
                            ('一个月美白焕肤', '祛斑'), ('瘦脸针体验（即将发布）', '瘦脸'),
                            ('祛斑疗程记录（草稿）', '祛斑'), ('已删除的旧案例', '双眼皮'))
              AS l (case_name, tag_name) ON l.case_name = new_cases.case_name
    JOIN new_tags ON new_tags.name = l.tag_name
), new_diaries AS (
    INSERT INTO diaries (company_id, case_id, title, summary, diary_date, cover_picture, content,
                         status, cover_show_type, read_count, up_count, comment_count, create_date)
    SELECT new_cases.company_id, new_cases.id, d.title, d.summary, now() - d.written, d.cover::jsonb,
           to_jsonb(d.body), d.status, d.show_type, d.reads, d.ups, d.comments, now() - d.created
    FROM new_cases JOIN (VALUES
        ('小雅的双眼皮日记', '术前：单眼皮的烦恼', '决定做双眼皮之前的准备', interval '40 days',
         '["statics/demo/diary1_1.jpg"]', '<p>面诊后医生建议做全切，约好了下周手术。</p>',
         1::smallint, 1::smallint, 210, 18, 0, interval '40 days'),
        ('小雅的双眼皮日记', '术后第七天：拆线啦', '消肿比想象中快', interval '33 days',
         '["statics/demo/diary1_2.jpg"]', '<p>今天拆线，肿胀消了一大半。</p>',
         1::smallint, 1::smallint, 156, 12, 1, interval '33 days'),
        ('小雅的双眼皮日记', '术后一个月：自然又好看', '朋友都说像天生的', interval '10 days',
         '["statics/demo/diary1_3.jpg"]', '<p>完全恢复，妆都不用画眼线了。</p>',
         1::smallint, 1::smallint, 320, 25, 1, interval '1 day'),
        ('小雅的双眼皮日记', '术后两个月（未发布）', '', interval '1 day',
         '[]', '<p>草稿</p>', 2::smallint, 1::smallint, 0, 0, 0, interval '12 hours'),
        ('阿敏的隆鼻之旅', '为什么选择膨体隆鼻', '做了很多功课', interval '35 days',
         '["statics/demo/diary2_1.jpg"]', '<p>对比了硅胶和膨体，最后选了膨体。</p>',
         1::smallint, 1::smallint, 88, 6, 0, interval '35 days'),
        ('阿敏的隆鼻之旅', '术后三周', '鼻梁挺起来了', interval '14 days',
         '["statics/demo/diary2_2.jpg"]', '<p>还有一点点肿，但线条已经出来了。</p>',
         1::smallint, 1::smallint, 64, 4, 0, interval '3 days'),
        ('一个月美白焕肤', '第一次光子嫩肤', '', interval '12 days',
         '["statics/demo/diary4_1.jpg"]', '<p>有点热热的感觉，不疼。</p>',
         1::smallint, 1::smallint, 20, 1, 0, interval '10 days'),
        ('瘦脸针体验（即将发布）', '打针当天', '', interval '2 days',
         '[]', '<p>几分钟就打完了。</p>', 1::smallint, 1::smallint, 0, 0, 0, interval '2 days')
    ) AS d (case_name, title, summary, written, cover, body, status, show_type, reads, ups, comments,
            created) ON d.case_name = new_cases.case_name
    RETURNING id, case_id, title
), customer AS (
    INSERT INTO customers (company_id, openid, user_type, username, headimgurl, city, province,
                           country, language, token)
    SELECT id, 'demo-case-customer-openid', 2, '爱美的小红', 'statics/imgs/Avator.jpg', 'Shanghai',
           'Shanghai', 'CN', 'zh_CN', 'pending-case'
    FROM co
    RETURNING id, company_id
), history AS (
    INSERT INTO tag_search_history (customer_id, company_id, tag_id, text, searched_at)
    SELECT customer.id, customer.company_id, new_tags.id, new_tags.name, now() - h.ago
    FROM customer, new_tags JOIN (VALUES ('玻尿酸', interval '2 days'), ('双眼皮', interval '1 hour'))
                        AS h (name, ago) ON h.name = new_tags.name
), footprints AS (
    INSERT INTO case_diary_actions (case_id, customer_id, action, status, create_date)
    SELECT new_cases.id, customer.id, 3, 1, now() - f.ago
    FROM customer, new_cases JOIN (VALUES ('小雅的双眼皮日记', interval '1 hour'),
                                      ('阿敏的隆鼻之旅', interval '1 day'))
                         AS f (case_name, ago) ON f.case_name = new_cases.case_name
), collected AS (
    INSERT INTO case_diary_actions (case_id, customer_id, action, status)
    SELECT new_cases.id, customer.id, 2, 1
    FROM customer, new_cases WHERE new_cases.case_name = '小雅的双眼皮日记'
), praised AS (
    INSERT INTO case_diary_actions (diary_id, case_id, customer_id, action, status)
    SELECT new_diaries.id, new_diaries.case_id, customer.id, 1, 1
    FROM customer, new_diaries WHERE new_diaries.title = '术后一个月：自然又好看'
)
INSERT INTO diary_comments (diary_id, from_customer_id, content, is_audit_pass, create_date)
SELECT new_diaries.id, customer.id, c.content, 1, now() - c.ago
FROM customer, new_diaries JOIN (VALUES ('术后第七天：拆线啦', '恢复得好快！请问是哪位医生做的？', interval '30 days'),
                                    ('术后一个月：自然又好看', '太自然了，心动了 😍', interval '20 hours'))
                       AS c (title, content, ago) ON c.title = new_diaries.title;
