//! The case library, M27–M30, M34, M36, M37 (spec §5.7), and the demo case company.
//! The fixtures here (`Library`, `seed_*`) are shared with `diary.rs`.

use crate::helpers::{spawn_app, Principal, TestApp};
use serde_json::{json, Value};

pub const CASES: &str = "/zhugeleida/xiaochengxu/case_manage/case_list";
const TAGS: &str = "/zhugeleida/xiaochengxu/case_tag/case_list";
const HISTORY: &str = "/zhugeleida/xiaochengxu/case_tag/history_case_list";
const TOP: &str = "/zhugeleida/xiaochengxu/case_tag/top_search_tag_list";
const COLLECT: &str = "/zhugeleida/xiaochengxu/case_manage/collection_case";
const FOOTPRINTS: &str = "/zhugeleida/xiaochengxu/case_manage/browse_case_list_record";
const COLLECTIONS: &str = "/zhugeleida/xiaochengxu/case_manage/collection_case_list_record";

/// Two companies with a customer each.
pub struct Library {
    pub app: TestApp,
    pub company: i64,
    pub customer: Principal,
    pub other_company: i64,
    pub stranger: Principal,
}

impl Library {
    /// `company_id=<own company>` plus `extra`.
    pub fn q(&self, extra: &str) -> String {
        format!("company_id={}&{extra}", self.company)
    }

    /// Signed GET as the library's customer in its own company.
    pub async fn get(&self, path: &str, extra: &str) -> Value {
        self.app
            .get_signed(path, &self.customer, &self.q(extra))
            .await
    }

    /// Signed form POST as the library's customer.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Value {
        self.app
            .post_signed(path, &self.customer, &self.q(""), form)
            .await
    }
}

pub async fn library() -> Library {
    let app = spawn_app().await;
    let company = app.seed_company("美丽人生").await;
    let customer = app.seed_customer(company, Some("小红")).await;
    let other_company = app.seed_company("别家医美").await;
    let stranger = app.seed_customer(other_company, Some("路人")).await;
    Library {
        app,
        company,
        customer,
        other_company,
        stranger,
    }
}

pub async fn seed_tag(app: &TestApp, company: i64, name: &str) -> i64 {
    app.scalar(
        "INSERT INTO case_tags (company_id, name) VALUES ($1, $2) RETURNING id",
        &[&company, &name],
    )
    .await
}

/// A case with `status` (1 published, 2 draft, 3 deleted), updated `update` (Shanghai local,
/// '' = never) and linked to `tags`.
pub async fn seed_case(
    app: &TestApp,
    company: i64,
    name: &str,
    status: i16,
    update: &str,
    tags: &[i64],
) -> i64 {
    let update = (!update.is_empty()).then(|| format!("{update}+08"));
    let id = app
        .scalar(
            "INSERT INTO cases (company_id, case_name, customer_name, cover_picture, status, update_date,
                                create_date)
             VALUES ($1, $2::text, '客户' || $2::text, '[\"c.jpg\"]', $3, $4::text::timestamptz,
                     '2019-01-25 15:35:29+08') RETURNING id",
            &[&company, &name, &status, &update],
        )
        .await;
    for tag in tags {
        app.client()
            .await
            .execute(
                "INSERT INTO case_tag_links (case_id, tag_id) VALUES ($1, $2)",
                &[&id, tag],
            )
            .await
            .expect("link");
    }
    id
}

/// A diary of `case` written on `diary_date` and created at `created` (both Shanghai local).
pub async fn seed_diary(
    app: &TestApp,
    case: i64,
    title: &str,
    status: i16,
    diary_date: &str,
    created: &str,
) -> i64 {
    app.scalar(
        "INSERT INTO diaries (company_id, case_id, title, diary_date, cover_picture, content, status,
                              cover_show_type, create_date)
         SELECT company_id, id, $2, $4::text::timestamptz, '[\"d.jpg\"]', '\"<p>正文</p>\"', $3, 1,
                $5::text::timestamptz
         FROM cases WHERE id = $1 RETURNING id",
        &[
            &case,
            &title,
            &status,
            &format!("{diary_date}+08"),
            &format!("{created}+08"),
        ],
    )
    .await
}

pub fn assert_answer(body: &Value, code: i64, msg: &str) {
    assert_eq!(
        (body["code"].as_i64(), body["msg"].as_str()),
        (Some(code), Some(msg)),
        "{body}"
    );
}

fn names(body: &Value, key: &str) -> Vec<String> {
    body["data"]["ret_data"]
        .as_array()
        .unwrap_or_else(|| panic!("no list: {body}"))
        .iter()
        .map(|i| i[key].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[actix_web::test]
async fn the_library_lists_published_cases_with_tags_and_their_newest_published_diary() {
    let lib = library().await;
    let app = &lib.app;
    let nose = seed_tag(app, lib.company, "隆鼻").await;
    let eyes = seed_tag(app, lib.company, "双眼皮").await;
    let older = seed_case(
        app,
        lib.company,
        "旧案例",
        1,
        "2019-01-20 10:00:00",
        &[nose],
    )
    .await;
    let newer = seed_case(
        app,
        lib.company,
        "新案例",
        1,
        "2019-01-28 14:38:15",
        &[eyes, nose],
    )
    .await;
    seed_case(app, lib.company, "草稿", 2, "2019-02-01 00:00:00", &[]).await;
    seed_case(app, lib.company, "已删除", 3, "2019-02-01 00:00:00", &[]).await;
    seed_diary(
        app,
        newer,
        "第一篇",
        1,
        "2019-01-27 09:00:00",
        "2019-01-27 10:00:00",
    )
    .await;
    let newest = seed_diary(
        app,
        newer,
        "我的美白日记1",
        1,
        "2019-01-28 13:50:00",
        "2019-01-28 14:03:11",
    )
    .await;
    seed_diary(
        app,
        newer,
        "未发布",
        2,
        "2019-01-29 00:00:00",
        "2019-01-29 00:00:00",
    )
    .await;
    seed_diary(
        app,
        older,
        "只有草稿",
        2,
        "2019-01-20 00:00:00",
        "2019-01-20 00:00:00",
    )
    .await;

    let body = lib.get(CASES, "").await;

    assert_answer(&body, 200, "查询成功");
    assert_eq!(body["data"]["data_count"], 2);
    assert_eq!(names(&body, "case_name"), vec!["新案例", "旧案例"]);
    let item = &body["data"]["ret_data"][0];
    assert_eq!(
        *item,
        json!({
            "case_id": newer,
            "case_name": "新案例",
            "company_id": lib.company,
            "customer_name": "客户新案例",
            "headimgurl": "statics/imgs/Avator.jpg",
            "cover_picture": ["c.jpg"],
            "status": 1,
            "status_text": "已发",
            "tag_list": [{"id": nose, "name": "隆鼻"}, {"id": eyes, "name": "双眼皮"}],
            "last_diary_data": {
                "diary_id": newest,
                "case_id": newer,
                "company_id": lib.company,
                "title": "我的美白日记1",
                "diary_date": "2019-01-28",
                "cover_picture": ["d.jpg"],
                "content": "<p>正文</p>",
                "status": 1,
                "status_text": "已发",
                "cover_show_type": 1,
                "cover_show_type_text": "只展示图片",
                "create_date": "2019-01-28 14:03:11",
            },
            "update_date": "2019-01-28 14:38:15",
            "create_date": "2019-01-25 15:35:29",
        })
    );
    // Only a draft diary: nothing to show.
    assert_eq!(body["data"]["ret_data"][1]["last_diary_data"], "");
}

#[actix_web::test]
async fn a_case_without_diaries_shows_an_empty_last_diary_and_never_inherits_one() {
    let lib = library().await;
    let app = &lib.app;
    let with = seed_case(app, lib.company, "有日记", 1, "2019-01-02 00:00:00", &[]).await;
    seed_case(app, lib.company, "无日记", 1, "2019-01-01 00:00:00", &[]).await;
    seed_case(app, lib.company, "从未更新", 1, "", &[]).await;
    seed_diary(
        app,
        with,
        "日记",
        1,
        "2019-01-01 00:00:00",
        "2019-01-01 00:00:00",
    )
    .await;

    let body = lib.get(CASES, "").await;

    assert_eq!(
        names(&body, "case_name"),
        vec!["有日记", "无日记", "从未更新"]
    );
    let list = body["data"]["ret_data"].as_array().unwrap();
    assert_eq!(list[0]["last_diary_data"]["title"], "日记");
    assert_eq!(list[1]["last_diary_data"], "");
    assert_eq!(list[2]["last_diary_data"], "");
    assert_eq!(list[2]["update_date"], "");
}

#[actix_web::test]
async fn a_single_case_leaves_one_footprint_per_case_and_no_last_diary() {
    let lib = library().await;
    let app = &lib.app;
    let first = seed_case(app, lib.company, "甲", 1, "2019-01-02 00:00:00", &[]).await;
    let second = seed_case(app, lib.company, "乙", 1, "2019-01-01 00:00:00", &[]).await;
    seed_diary(
        app,
        first,
        "日记",
        1,
        "2019-01-01 00:00:00",
        "2019-01-01 00:00:00",
    )
    .await;

    for case in [first, second, first, first] {
        let body = lib.get(CASES, &format!("case_id={case}")).await;
        assert_answer(&body, 200, "查询成功");
        assert_eq!(body["data"]["data_count"], 1);
        assert_eq!(body["data"]["ret_data"][0]["case_id"], case);
        assert_eq!(body["data"]["ret_data"][0]["last_diary_data"], "");
    }

    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM case_diary_actions WHERE action = 3 AND customer_id = $1",
            &[&lib.customer.id]
        )
        .await,
        2
    );
    let mine = lib.get(FOOTPRINTS, "").await;
    assert_answer(&mine, 200, "查询成功");
    assert_eq!(mine["data"]["data_count"], 2);
    let ids: Vec<_> = mine["data"]["ret_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["case_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![first, second], "latest visit first");
    let item = &mine["data"]["ret_data"][0];
    assert!(item.get("case_name").is_none() && item.get("update_date").is_none());
    assert_eq!(item["last_diary_data"]["diary_date"], "2019-01-01 00:00:00");
    assert_eq!(item["create_date"].as_str().unwrap().len(), 19);
}

#[actix_web::test]
async fn no_visible_case_answers_302_data_does_not_exist() {
    let lib = library().await;
    let app = &lib.app;
    let draft = seed_case(app, lib.company, "草稿", 2, "", &[]).await;
    let theirs = seed_case(app, lib.other_company, "别家的", 1, "", &[]).await;

    for extra in [
        String::new(),
        format!("case_id={draft}"),
        format!("case_id={theirs}"),
        "case_id=999999".to_owned(),
        "current_page=99".to_owned(),
    ] {
        let body = lib.get(CASES, &extra).await;
        assert_eq!(
            body,
            json!({"code": 302, "msg": "数据不存在", "data": {}, "note": {}})
        );
    }
    assert_eq!(
        app.scalar("SELECT count(*) FROM case_diary_actions", &[])
            .await,
        0,
        "no footprint on invisible cases"
    );
}

#[actix_web::test]
async fn searching_by_tag_counts_the_search_and_records_history_even_without_matches() {
    let lib = library().await;
    let app = &lib.app;
    let used = seed_tag(app, lib.company, "隆鼻").await;
    let unused = seed_tag(app, lib.company, "瘦脸").await;
    let theirs = seed_tag(app, lib.other_company, "别家标签").await;
    let case = seed_case(app, lib.company, "隆鼻案例", 1, "", &[used]).await;
    seed_case(app, lib.company, "其他", 1, "", &[]).await;

    let hit = lib.get(CASES, &format!("search_tag_id={used}")).await;
    let miss = lib.get(CASES, &format!("search_tag_id={unused}")).await;
    let foreign = lib.get(CASES, &format!("search_tag_id={theirs}")).await;
    lib.get(CASES, &format!("search_tag_id={used}")).await;

    assert_eq!(hit["data"]["data_count"], 1);
    assert_eq!(hit["data"]["ret_data"][0]["case_id"], case);
    assert_answer(&miss, 302, "数据不存在");
    assert_answer(&foreign, 302, "数据不存在");
    let amount = |id: i64| async move {
        app.scalar(
            "SELECT search_amount::bigint FROM case_tags WHERE id = $1",
            &[&id],
        )
        .await
    };
    assert_eq!(
        (
            amount(used).await,
            amount(unused).await,
            amount(theirs).await
        ),
        (2, 1, 0)
    );
    let history = lib.get(HISTORY, "").await;
    assert_eq!(
        history,
        json!({"code": 200, "msg": "", "note": {}, "data": {
            "ret_data": [{"id": used, "name": "隆鼻"}, {"id": unused, "name": "瘦脸"}],
            "data_count": 2,
        }})
    );
    assert_eq!(
        app.scalar("SELECT count(*) FROM tag_search_history", &[])
            .await,
        2
    );
}

#[actix_web::test]
async fn concurrent_tag_searches_lose_no_counts() {
    let lib = library().await;
    let tag = seed_tag(&lib.app, lib.company, "热门").await;
    seed_case(&lib.app, lib.company, "案例", 1, "", &[tag]).await;
    let extra = format!("search_tag_id={tag}");

    let calls = (0..20).map(|_| lib.get(CASES, &extra));
    let answers = futures_util::future::join_all(calls).await;

    assert!(answers.iter().all(|a| a["code"] == 200), "{answers:?}");
    assert_eq!(
        lib.app
            .scalar(
                "SELECT search_amount::bigint FROM case_tags WHERE id = $1",
                &[&tag]
            )
            .await,
        20
    );
    assert_eq!(
        lib.app
            .scalar("SELECT count(*) FROM tag_search_history", &[])
            .await,
        1
    );
}

#[actix_web::test]
async fn cases_filter_by_customer_name_and_page_in_sql_with_clamped_lengths() {
    let lib = library().await;
    let app = &lib.app;
    app.client()
        .await
        .execute(
            "INSERT INTO cases (company_id, case_name, customer_name, status, update_date)
             SELECT $1, '案例' || n, CASE WHEN n % 10 = 0 THEN '张小' || n ELSE '李' || n END, 1,
                    '2019-01-01'::timestamptz + n * interval '1 minute'
             FROM generate_series(1, 120) AS n",
            &[&lib.company],
        )
        .await
        .unwrap();

    let zhang = lib.get(CASES, "customer_name=张小").await;
    let page2 = lib.get(CASES, "current_page=2&length=5").await;
    let huge = lib.get(CASES, "length=1000000000").await;
    let negative = lib.get(CASES, "length=-1").await;
    let oldest_first = lib.get(CASES, "order=update_date&length=1").await;

    assert_eq!(zhang["data"]["data_count"], 12);
    assert_eq!(
        names(&page2, "case_name"),
        ["案例115", "案例114", "案例113", "案例112", "案例111"]
    );
    assert_eq!(page2["data"]["data_count"], 120);
    assert_eq!(huge["data"]["ret_data"].as_array().unwrap().len(), 100);
    assert_eq!(negative["data"]["ret_data"].as_array().unwrap().len(), 20);
    assert_eq!(names(&oldest_first, "case_name"), ["案例1"]);
}

#[actix_web::test]
async fn company_id_is_required_an_integer_and_the_customers_own() {
    let lib = library().await;
    let app = &lib.app;
    for path in [CASES, TAGS, HISTORY, TOP, FOOTPRINTS, COLLECTIONS] {
        let missing = app.get_signed(path, &lib.customer, "").await;
        assert_eq!(
            missing,
            json!({"code": 301, "msg": "验证未通过", "note": {}, "data": {
                "company_id": [{"message": "This field is required.", "code": "required"}]
            }}),
            "{path}"
        );
        let bad = app.get_signed(path, &lib.customer, "company_id=abc").await;
        assert_eq!(bad["code"], 301, "{path}");
        assert_eq!(
            bad["data"]["company_id"][0]["message"],
            "Enter a whole number."
        );
        for other in [lib.other_company, 999_999] {
            let foreign = app
                .get_signed(path, &lib.customer, &format!("company_id={other}"))
                .await;
            assert_eq!(
                foreign,
                json!({"code": 404, "msg": "非法请求", "data": {}, "note": {}}),
                "{path}"
            );
        }
        let unsigned = app
            .get(
                path,
                &format!("user_id={}&company_id={}", lib.customer.id, lib.company),
            )
            .await;
        assert_answer(&unsigned, 400, "token异常");
    }
}

#[actix_web::test]
async fn bad_list_inputs_are_validation_errors_never_500() {
    let lib = library().await;
    for (path, extra, field) in [
        (CASES, "case_id=abc", "case_id"),
        (CASES, "search_tag_id=1.5", "search_tag_id"),
        (CASES, "current_page=x", "current_page"),
        (CASES, "case_id=99999999999999999999", "case_id"),
        (TAGS, "length=ten", "length"),
        (FOOTPRINTS, "current_page=-", "current_page"),
    ] {
        let body = lib.get(path, extra).await;
        assert_eq!(body["code"], 301, "{path}?{extra}: {body}");
        assert_eq!(body["msg"], "验证未通过");
        assert_eq!(body["data"][field][0]["code"], "invalid", "{body}");
    }
    let body = lib
        .get(CASES, "current_page=9223372036854775807&length=100")
        .await;
    assert_answer(&body, 302, "数据不存在");
}

#[actix_web::test]
async fn tags_list_and_filter_by_name() {
    let lib = library().await;
    let app = &lib.app;
    let a = seed_tag(app, lib.company, "家装知识").await;
    let b = seed_tag(app, lib.company, "隆鼻").await;
    let c = seed_tag(app, lib.company, "假体隆鼻").await;
    seed_tag(app, lib.other_company, "隆鼻").await;

    let all = lib.get(TAGS, "").await;
    let nose = lib.get(TAGS, "name=隆鼻").await;
    let paged = lib.get(TAGS, "length=1&current_page=2").await;

    assert_eq!(
        all,
        json!({"code": 200, "msg": "", "note": {}, "data": {
            "ret_data": [{"id": a, "name": "家装知识"}, {"id": b, "name": "隆鼻"}, {"id": c, "name": "假体隆鼻"}],
            "data_count": 3,
        }})
    );
    assert_eq!(nose["data"]["data_count"], 2);
    assert_eq!(
        paged["data"]["ret_data"],
        json!([{"id": b, "name": "隆鼻"}])
    );
    assert_eq!(paged["data"]["data_count"], 3);
}

#[actix_web::test]
async fn history_is_newest_first_deduplicated_and_capped_at_13() {
    let lib = library().await;
    let mut tags = vec![];
    for i in 0..15 {
        tags.push(seed_tag(&lib.app, lib.company, &format!("标签{i}")).await);
    }
    for tag in &tags {
        lib.get(CASES, &format!("search_tag_id={tag}")).await;
    }
    lib.get(CASES, &format!("search_tag_id={}", tags[0])).await;

    let body = lib.get(HISTORY, "").await;

    assert_answer(&body, 200, "");
    assert_eq!(body["data"]["data_count"], 13);
    let ids: Vec<i64> = body["data"]["ret_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    let mut expected = vec![tags[0]];
    expected.extend(tags[3..].iter().rev().take(12));
    assert_eq!(ids, expected);
    let strangers = lib
        .app
        .get_signed(
            HISTORY,
            &lib.stranger,
            &format!("company_id={}", lib.other_company),
        )
        .await;
    assert_eq!(strangers["data"], json!({"ret_data": [], "data_count": 0}));
}

#[actix_web::test]
async fn hot_tags_are_the_13_most_searched_with_the_total_count() {
    let lib = library().await;
    let db = lib.app.client().await;
    db.execute(
        "INSERT INTO case_tags (company_id, name, search_amount)
         SELECT $1, '标签' || n, n FROM generate_series(1, 15) AS n",
        &[&lib.company],
    )
    .await
    .unwrap();

    let body = lib.get(TOP, "").await;

    assert_answer(&body, 200, "");
    assert_eq!(body["data"]["data_count"], 15);
    let names = names(&body, "name");
    assert_eq!(names.len(), 13);
    assert_eq!((names[0].as_str(), names[12].as_str()), ("标签15", "标签3"));
    let empty = lib
        .app
        .get_signed(
            TOP,
            &lib.stranger,
            &format!("company_id={}", lib.other_company),
        )
        .await;
    assert_eq!(empty["data"], json!({"ret_data": [], "data_count": 0}));
}

#[actix_web::test]
async fn collecting_and_uncollecting_a_case_upserts_one_row() {
    let lib = library().await;
    let app = &lib.app;
    let case = seed_case(app, lib.company, "收藏我", 1, "", &[]).await;
    let other = seed_case(app, lib.company, "也收藏", 1, "", &[]).await;
    let id = case.to_string();

    let first = lib
        .post(COLLECT, &[("case_id", &id), ("status", "1")])
        .await;
    lib.post(COLLECT, &[("case_id", &other.to_string()), ("status", "1")])
        .await;
    let listed = lib.get(COLLECTIONS, "").await;
    let undo = lib
        .post(COLLECT, &[("case_id", &id), ("status", "0")])
        .await;
    let after = lib.get(COLLECTIONS, "").await;

    assert_eq!(
        first,
        json!({"code": 200, "msg": "记录成功", "data": {}, "note": {}})
    );
    assert_answer(&undo, 200, "记录成功");
    assert_eq!(listed["data"]["data_count"], 2);
    assert_eq!(listed["data"]["ret_data"][0]["case_id"], other);
    assert_eq!(listed["data"]["ret_data"][0]["last_diary_data"], "");
    assert_eq!(after["data"]["data_count"], 1);
    assert_eq!(after["data"]["ret_data"][0]["case_id"], other);
    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM case_diary_actions WHERE action = 2 AND case_id = $1",
            &[&case]
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn collection_errors_follow_the_spec() {
    let lib = library().await;
    let app = &lib.app;
    let draft = seed_case(app, lib.company, "草稿", 2, "", &[]).await;
    let theirs = seed_case(app, lib.other_company, "别家", 1, "", &[]).await;

    let missing = lib.post(COLLECT, &[]).await;
    let bad = lib
        .post(COLLECT, &[("case_id", "x"), ("status", "7")])
        .await;
    let draft_answer = lib
        .post(COLLECT, &[("case_id", &draft.to_string()), ("status", "1")])
        .await;
    let foreign_answer = lib
        .post(
            COLLECT,
            &[("case_id", &theirs.to_string()), ("status", "1")],
        )
        .await;
    let wrong_company = app
        .post_signed(
            COLLECT,
            &lib.customer,
            &format!("company_id={}", lib.other_company),
            &[("case_id", &theirs.to_string()), ("status", "1")],
        )
        .await;
    let by_get = lib.get(COLLECT, "case_id=1&status=1").await;

    assert_eq!(
        missing,
        json!({"code": 301, "data": {}, "note": {}, "msg": {
            "case_id": [{"message": "This field is required.", "code": "required"}],
            "status": [{"message": "This field is required.", "code": "required"}],
        }})
    );
    assert_eq!(bad["code"], 301);
    assert_eq!(bad["msg"]["case_id"][0]["message"], "Enter a whole number.");
    assert_eq!(bad["msg"]["status"][0]["code"], "invalid");
    assert_answer(&draft_answer, 302, "案例不存在");
    assert_answer(&foreign_answer, 302, "案例不存在");
    assert_answer(&wrong_company, 404, "非法请求");
    assert_answer(&by_get, 402, "请求方式异常");
    assert_eq!(
        app.scalar("SELECT count(*) FROM case_diary_actions", &[])
            .await,
        0
    );
}

#[actix_web::test]
async fn empty_footprints_and_collections_answer_200_with_an_empty_list() {
    let lib = library().await;
    for path in [FOOTPRINTS, COLLECTIONS] {
        let body = lib.get(path, "").await;
        assert_eq!(
            body,
            json!({"code": 200, "msg": "查询成功", "note": {},
                   "data": {"ret_data": [], "data_count": 0}})
        );
    }
}

#[actix_web::test]
async fn a_customer_of_another_company_sees_and_touches_nothing_here() {
    let lib = library().await;
    let app = &lib.app;
    let tag = seed_tag(app, lib.company, "标签").await;
    let case = seed_case(app, lib.company, "案例", 1, "", &[tag]).await;
    let stranger_q = format!("company_id={}", lib.company);

    let list = app.get_signed(CASES, &lib.stranger, &stranger_q).await;
    let tags = app.get_signed(TAGS, &lib.stranger, &stranger_q).await;
    let own = app
        .get_signed(
            CASES,
            &lib.stranger,
            &format!(
                "company_id={}&case_id={case}&search_tag_id={tag}",
                lib.other_company
            ),
        )
        .await;
    let collect = app
        .post_signed(
            COLLECT,
            &lib.stranger,
            "",
            &[("case_id", &case.to_string()), ("status", "1")],
        )
        .await;

    assert_answer(&list, 404, "非法请求");
    assert_answer(&tags, 404, "非法请求");
    assert_answer(&own, 302, "数据不存在");
    assert_answer(&collect, 302, "案例不存在");
    assert_eq!(
        app.scalar("SELECT count(*) FROM case_diary_actions", &[])
            .await,
        0
    );
    assert_eq!(
        app.scalar(
            "SELECT search_amount::bigint FROM case_tags WHERE id = $1",
            &[&tag]
        )
        .await,
        0
    );
}

#[actix_web::test]
async fn the_demo_case_company_shows_real_output_on_every_endpoint() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    assert!(radar::demo::load(&mut client).await.unwrap());
    let row = client
        .query_one(
            "SELECT c.id, c.token, c.company_id FROM customers c
             WHERE c.openid = 'demo-case-customer-openid'",
            &[],
        )
        .await
        .unwrap();
    let customer = Principal {
        id: row.get(0),
        token: row.get(1),
    };
    let company: i64 = row.get(2);
    let three_services: i16 = client
        .query_one(
            "SELECT three_services_type FROM mini_program_apps WHERE company_id = $1",
            &[&company],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(three_services, 2);
    let q = format!("company_id={company}");
    let get = |path: &'static str| {
        let (app, customer, q) = (&app, &customer, &q);
        async move { app.get_signed(path, customer, q).await }
    };

    let cases = get(CASES).await;
    assert_answer(&cases, 200, "查询成功");
    assert_eq!(cases["data"]["data_count"], 4, "published cases only");
    let lists = cases["data"]["ret_data"].as_array().unwrap();
    assert!(lists.iter().any(|c| c["last_diary_data"] == ""));
    assert!(lists.iter().any(|c| c["last_diary_data"].is_object()));
    for path in [TAGS, HISTORY, TOP, FOOTPRINTS, COLLECTIONS] {
        let body = get(path).await;
        assert_eq!(body["code"], 200, "{path}: {body}");
        assert!(
            !body["data"]["ret_data"].as_array().unwrap().is_empty(),
            "{path}: {body}"
        );
    }
    let diaries = get(crate::diary::DIARIES).await;
    assert_answer(&diaries, 200, "查询成功");
    assert!(diaries["data"]["data_count"].as_i64().unwrap() >= 5);
    let commented: i64 = client
        .query_one(
            "SELECT diary_id FROM diary_comments ORDER BY id DESC LIMIT 1",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let comments = app
        .get_signed(
            &format!("{}/{commented}", crate::diary::REVIEWS),
            &customer,
            &q,
        )
        .await;
    assert_answer(&comments, 200, "查询成功");
}

#[actix_web::test]
async fn every_case_route_also_answers_with_a_trailing_slash() {
    let lib = library().await;
    let case = seed_case(&lib.app, lib.company, "案例", 1, "", &[]).await;
    for path in [CASES, TAGS, HISTORY, TOP, FOOTPRINTS, COLLECTIONS] {
        let body = lib.get(&format!("{path}/"), "").await;
        assert_eq!(body["code"], 200, "{path}/: {body}");
    }
    let body = lib
        .post(
            &format!("{COLLECT}/"),
            &[("case_id", &case.to_string()), ("status", "1")],
        )
        .await;
    assert_answer(&body, 200, "记录成功");
}
