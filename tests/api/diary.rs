//! Diaries, comments and praise, M31–M33, M35 (spec §5.7).

use crate::case::{assert_answer, library, seed_case, seed_diary, Library};
use serde_json::json;

pub const DIARIES: &str = "/zhugeleida/xiaochengxu/diary_manage/diary_list";
pub const REVIEWS: &str = "/zhugeleida/xiaochengxu/diary_manage/diary_id_review_list";
const REVIEW: &str = "/zhugeleida/xiaochengxu/diary_manage/review_diary";
const PRAISE: &str = "/zhugeleida/xiaochengxu/diary_manage/praise_diary";

/// A library with one published case holding three published diaries and a draft, plus a draft
/// case with a published diary and a case of the other company. Returns `(lib, case, diaries)`,
/// the published diaries oldest first.
async fn setup() -> (Library, i64, Vec<i64>) {
    let lib = library().await;
    let app = &lib.app;
    let case = seed_case(app, lib.company, "案例", 1, "", &[]).await;
    let d1 = seed_diary(
        app,
        case,
        "术前",
        1,
        "2019-01-20 22:00:00",
        "2019-01-20 23:00:00",
    )
    .await;
    let d2 = seed_diary(
        app,
        case,
        "第七天",
        1,
        "2019-01-27 21:59:00",
        "2019-01-27 23:00:00",
    )
    .await;
    let d3 = seed_diary(
        app,
        case,
        "我的美白日记1",
        1,
        "2019-01-28 13:50:00",
        "2019-01-28 14:03:11",
    )
    .await;
    seed_diary(
        app,
        case,
        "草稿",
        2,
        "2019-01-29 00:00:00",
        "2019-01-29 00:00:00",
    )
    .await;
    let draft_case = seed_case(app, lib.company, "未发案例", 2, "", &[]).await;
    seed_diary(
        app,
        draft_case,
        "看不见",
        1,
        "2019-01-01 00:00:00",
        "2019-01-01 00:00:00",
    )
    .await;
    let theirs = seed_case(app, lib.other_company, "别家", 1, "", &[]).await;
    seed_diary(
        app,
        theirs,
        "别家的",
        1,
        "2019-01-01 00:00:00",
        "2019-01-01 00:00:00",
    )
    .await;
    (lib, case, vec![d1, d2, d3])
}

async fn counter(lib: &Library, column: &str, diary: i64) -> i64 {
    lib.app
        .scalar(
            &format!("SELECT {column}::bigint FROM diaries WHERE id = $1"),
            &[&diary],
        )
        .await
}

#[actix_web::test]
async fn diaries_list_published_ones_newest_first_with_day_numbers_within_their_case() {
    let (lib, case, d) = setup().await;
    let later_case = seed_case(&lib.app, lib.company, "后来的案例", 1, "", &[]).await;
    let solo = seed_diary(
        &lib.app,
        later_case,
        "另一个案例",
        1,
        "2019-03-01 08:00:00",
        "2019-01-10 00:00:00",
    )
    .await;

    let body = lib.get(DIARIES, "").await;

    assert_answer(&body, 200, "查询成功");
    assert_eq!(body["data"]["data_count"], 4);
    let list = body["data"]["ret_data"].as_array().unwrap();
    let ids: Vec<_> = list
        .iter()
        .map(|i| i["diary_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![d[2], d[1], d[0], solo]);
    let days: Vec<_> = list
        .iter()
        .map(|i| i["interval_days"].as_i64().unwrap())
        .collect();
    // 01-20 22:00 → 01-27 21:59 is 6 whole days; → 01-28 13:50 is 7; a case's first diary is 0.
    assert_eq!(days, vec![7, 6, 0, 0]);
    assert_eq!(
        list[0],
        json!({
            "diary_id": d[2],
            "case_id": case,
            "company_id": lib.company,
            "is_praise_diary": 0,
            "is_praise_diary_text": "没有赞过此日记",
            "title": "我的美白日记1",
            "diary_date": "2019-01-28",
            "cover_picture": ["d.jpg"],
            "content": "<p>正文</p>",
            "interval_days": 7,
            "status": 1,
            "status_text": "已发",
            "read_count": 0,
            "comment_count": 0,
            "up_count": 0,
            "cover_show_type": 1,
            "cover_show_type_text": "只展示图片",
            "create_date": "2019-01-28 14:03:11",
        })
    );
}

#[actix_web::test]
async fn diaries_filter_by_case_title_and_id_and_answer_200_when_empty() {
    let (lib, case, d) = setup().await;

    let by_case = lib.get(DIARIES, &format!("case_id={case}&length=2")).await;
    let by_title = lib.get(DIARIES, "title=第七").await;
    let single = lib.get(DIARIES, &format!("diary_id={}", d[0])).await;
    let none = lib.get(DIARIES, "title=不存在的标题").await;
    let oldest = lib.get(DIARIES, "order=create_date&length=1").await;

    assert_eq!(by_case["data"]["data_count"], 3);
    assert_eq!(by_case["data"]["ret_data"].as_array().unwrap().len(), 2);
    assert_eq!(by_title["data"]["ret_data"][0]["diary_id"], d[1]);
    assert_eq!(single["data"]["data_count"], 1);
    assert_eq!(single["data"]["ret_data"][0]["read_count"], 1);
    assert_eq!(
        none,
        json!({"code": 200, "msg": "查询成功", "note": {}, "data": {"ret_data": [], "data_count": 0}})
    );
    assert_eq!(oldest["data"]["ret_data"][0]["diary_id"], d[0]);
}

#[actix_web::test]
async fn reading_one_diary_counts_every_read_without_losing_concurrent_ones() {
    let (lib, _case, d) = setup().await;
    let extra = format!("diary_id={}", d[1]);

    for _ in 0..3 {
        lib.get(DIARIES, &extra).await;
    }
    let reads = (0..20).map(|_| lib.get(DIARIES, &extra));
    let answers = futures_util::future::join_all(reads).await;

    assert!(answers.iter().all(|a| a["code"] == 200));
    assert_eq!(counter(&lib, "read_count", d[1]).await, 23);
    assert_eq!(counter(&lib, "read_count", d[0]).await, 0);
    // The list itself reads nothing.
    lib.get(DIARIES, "").await;
    assert_eq!(counter(&lib, "read_count", d[1]).await, 23);
}

#[actix_web::test]
async fn drafts_other_companies_and_bad_inputs_are_refused() {
    let (lib, _case, _d) = setup().await;
    let draft: i64 = lib
        .app
        .scalar("SELECT id FROM diaries WHERE title = '看不见'", &[])
        .await;

    let hidden = lib.get(DIARIES, &format!("diary_id={draft}")).await;
    let foreign = lib
        .app
        .get_signed(
            DIARIES,
            &lib.customer,
            &format!("company_id={}", lib.other_company),
        )
        .await;
    let missing = lib.app.get_signed(DIARIES, &lib.customer, "").await;
    let bad = lib.get(DIARIES, "diary_id=abc&length=-1").await;

    assert_eq!(hidden["data"]["data_count"], 0);
    assert_eq!(counter(&lib, "read_count", draft).await, 0);
    assert_answer(&foreign, 404, "非法请求");
    assert_answer(&missing, 301, "验证未通过");
    assert_eq!(missing["data"]["company_id"][0]["code"], "required");
    assert_answer(&bad, 301, "验证未通过");
    assert_eq!(
        bad["data"]["diary_id"][0]["message"],
        "Enter a whole number."
    );
}

#[actix_web::test]
async fn commenting_stores_the_comment_and_counts_it() {
    let (lib, _case, d) = setup().await;
    let path = format!("{REVIEW}/{}", d[2]);

    let body = lib
        .post(&path, &[("content", "  不错的日记。。。。 ")])
        .await;

    assert_eq!(
        body,
        json!({"code": 200, "msg": "记录成功", "data": {}, "note": {}})
    );
    assert_eq!(counter(&lib, "comment_count", d[2]).await, 1);
    let row = lib
        .app
        .client()
        .await
        .query_one(
            "SELECT from_customer_id, content, is_audit_pass::bigint FROM diary_comments",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), lib.customer.id);
    assert_eq!(row.get::<_, String>(1), "不错的日记。。。。");
    assert_eq!(
        row.get::<_, i64>(2),
        1,
        "approved at once without moderation"
    );
}

#[actix_web::test]
async fn comment_errors_follow_the_spec() {
    let (lib, _case, d) = setup().await;
    let app = &lib.app;
    let draft: i64 = app
        .scalar("SELECT id FROM diaries WHERE title = '看不见'", &[])
        .await;
    let theirs: i64 = app
        .scalar("SELECT id FROM diaries WHERE title = '别家的'", &[])
        .await;
    let expected_empty = json!({"code": 301, "data": {}, "note": {}, "msg": {
        "content": [{"message": "内容不能为空", "code": "required"}]
    }});

    let missing = lib.post(&format!("{REVIEW}/{}", d[0]), &[]).await;
    let blank = lib
        .post(&format!("{REVIEW}/{}", d[0]), &[("content", "   ")])
        .await;
    let unknown = lib
        .post(&format!("{REVIEW}/999999"), &[("content", "你好")])
        .await;
    let hidden = lib
        .post(&format!("{REVIEW}/{draft}"), &[("content", "你好")])
        .await;
    let foreign = lib
        .post(&format!("{REVIEW}/{theirs}"), &[("content", "你好")])
        .await;
    let wrong_company = app
        .post_signed(
            &format!("{REVIEW}/{}", d[0]),
            &lib.customer,
            &format!("company_id={}", lib.other_company),
            &[("content", "你好")],
        )
        .await;
    let bad_id = lib
        .post(&format!("{REVIEW}/abc"), &[("content", "你好")])
        .await;
    let unsigned = app
        .post_form(
            &format!("{REVIEW}/{}", d[0]),
            "user_id=1",
            &[("content", "你好")],
        )
        .await;

    assert_eq!(missing, expected_empty);
    assert_eq!(blank, expected_empty);
    for body in [&unknown, &hidden, &foreign] {
        assert_answer(body, 302, "日记不存在");
    }
    assert_answer(&wrong_company, 404, "非法请求");
    assert_eq!(bad_id["code"], 301);
    assert_eq!(
        bad_id["msg"]["diary_id"][0]["message"],
        "Enter a whole number."
    );
    assert_answer(&unsigned, 400, "token异常");
    assert_eq!(
        app.scalar("SELECT count(*) FROM diary_comments", &[]).await,
        0
    );
    assert_eq!(
        app.scalar("SELECT sum(comment_count)::bigint FROM diaries", &[])
            .await,
        0
    );
}

#[actix_web::test]
async fn malformed_json_bodies_are_validation_errors() {
    let (lib, _case, d) = setup().await;
    let url = format!(
        "{}{REVIEW}/{}?{}",
        lib.app.address,
        d[0],
        lib.customer.sign()
    );
    let resp = lib
        .app
        .http
        .post(url)
        .header("content-type", "application/json")
        .body("{\"content\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], 301);
    let url = format!(
        "{}{REVIEW}/{}?{}",
        lib.app.address,
        d[0],
        lib.customer.sign()
    );
    let resp = lib
        .app
        .http
        .post(url)
        .header("content-type", "application/json")
        .body(r#"{"content": "JSON 评论"}"#)
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_answer(&body, 200, "记录成功");
}

#[actix_web::test]
async fn concurrent_comments_lose_no_counts() {
    let (lib, _case, d) = setup().await;
    let path = format!("{REVIEW}/{}", d[1]);

    let calls = (0..20).map(|i| {
        let (lib, path) = (&lib, &path);
        async move {
            let text = format!("评论{i}");
            lib.post(path, &[("content", &text)]).await
        }
    });
    let answers = futures_util::future::join_all(calls).await;

    assert!(answers.iter().all(|a| a["code"] == 200));
    assert_eq!(counter(&lib, "comment_count", d[1]).await, 20);
}

#[actix_web::test]
async fn comments_list_newest_first_paged_with_the_name_fallback() {
    let (lib, _case, d) = setup().await;
    let app = &lib.app;
    let nameless = app.seed_customer(lib.company, None).await;
    app.client()
        .await
        .execute(
            "INSERT INTO diary_comments (diary_id, from_customer_id, content, is_audit_pass, create_date)
             VALUES ($1, $2, '第一条', 1, '2019-01-29 20:01:27+08'),
                    ($1, $3, '第二条 😀', 1, '2019-01-29 21:00:00+08')",
            &[&d[0], &lib.customer.id, &nameless.id],
        )
        .await
        .unwrap();
    let path = format!("{REVIEWS}/{}", d[0]);

    let all = lib.get(&path, "").await;
    let second_page = lib.get(&path, "length=1&current_page=2").await;
    let none = lib.get(&format!("{REVIEWS}/{}", d[1]), "").await;
    let unknown = lib.get(&format!("{REVIEWS}/999999"), "").await;
    let bad = lib.get(&format!("{REVIEWS}/x"), "").await;
    let foreign = app
        .get_signed(
            &path,
            &lib.stranger,
            &format!("company_id={}", lib.other_company),
        )
        .await;

    assert_answer(&all, 200, "查询成功");
    assert_eq!(all["data"]["data_count"], 2);
    assert_eq!(
        all["data"]["ret_data"],
        json!([
            {
                "from_customer_id": nameless.id,
                "from_customer_name": format!("客户ID{}", nameless.id),
                "from_customer_headimgurl": "statics/imgs/Avator.jpg",
                "content": "第二条 😀",
                "create_time": "2019-01-29 21:00:00",
            },
            {
                "from_customer_id": lib.customer.id,
                "from_customer_name": "小红",
                "from_customer_headimgurl": "statics/imgs/Avator.jpg",
                "content": "第一条",
                "create_time": "2019-01-29 20:01:27",
            },
        ])
    );
    assert_eq!(second_page["data"]["ret_data"][0]["content"], "第一条");
    assert_eq!(second_page["data"]["data_count"], 2);
    for body in [&none, &unknown, &foreign] {
        assert_eq!(
            *body,
            json!({"code": 302, "msg": "没有数据", "data": {}, "note": {}})
        );
    }
    assert_answer(&bad, 301, "验证未通过");
    assert_eq!(bad["data"]["diary_id"][0]["code"], "invalid");
}

#[actix_web::test]
async fn with_moderation_on_only_approved_comments_and_the_callers_own_show() {
    let (lib, _case, d) = setup().await;
    let app = &lib.app;
    let other = app.seed_customer(lib.company, Some("别人")).await;
    let path = format!("{REVIEWS}/{}", d[0]);
    app.client()
        .await
        .execute(
            "UPDATE companies SET comment_moderation = true WHERE id = $1",
            &[&lib.company],
        )
        .await
        .unwrap();

    lib.post(
        &format!("{REVIEW}/{}", d[0]),
        &[("content", "我的待审评论")],
    )
    .await;
    app.post_signed(
        &format!("{REVIEW}/{}", d[0]),
        &other,
        "",
        &[("content", "别人的待审评论")],
    )
    .await;
    let mine = lib.get(&path, "").await;
    let theirs_view = app
        .get_signed(&path, &other, &format!("company_id={}", lib.company))
        .await;
    app.client()
        .await
        .execute(
            "UPDATE diary_comments SET is_audit_pass = 1 WHERE from_customer_id = $1",
            &[&lib.customer.id],
        )
        .await
        .unwrap();
    let approved_view = app
        .get_signed(&path, &other, &format!("company_id={}", lib.company))
        .await;

    let contents = |b: &serde_json::Value| -> Vec<String> {
        b["data"]["ret_data"]
            .as_array()
            .map(|l| {
                l.iter()
                    .map(|c| c["content"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(contents(&mine), ["我的待审评论"]);
    assert_eq!(contents(&theirs_view), ["别人的待审评论"]);
    assert_eq!(contents(&approved_view), ["别人的待审评论", "我的待审评论"]);
    assert_eq!(counter(&lib, "comment_count", d[0]).await, 2);
}

#[actix_web::test]
async fn praising_counts_once_and_a_repeat_is_302() {
    let (lib, _case, d) = setup().await;
    let path = format!("{PRAISE}/{}", d[1]);

    let first = lib.post(&path, &[]).await;
    let again = lib.post(&path, &[]).await;
    let list = lib.get(DIARIES, &format!("diary_id={}", d[1])).await;

    assert_eq!(
        first,
        json!({"code": 200, "msg": "记录成功", "data": {}, "note": {}})
    );
    assert_eq!(
        again,
        json!({"code": 302, "msg": "已经点过赞了", "data": {}, "note": {}})
    );
    assert_eq!(counter(&lib, "up_count", d[1]).await, 1);
    let item = &list["data"]["ret_data"][0];
    assert_eq!(item["is_praise_diary"], 1);
    assert_eq!(item["is_praise_diary_text"], "已经赞过此日记");
    assert_eq!(item["up_count"], 1);
}

#[actix_web::test]
async fn concurrent_praises_of_one_customer_count_exactly_once() {
    let (lib, _case, d) = setup().await;
    let path = format!("{PRAISE}/{}", d[0]);

    let calls = (0..12).map(|_| lib.post(&path, &[]));
    let answers = futures_util::future::join_all(calls).await;

    let wins = answers.iter().filter(|a| a["code"] == 200).count();
    let repeats = answers
        .iter()
        .filter(|a| a["code"] == 302 && a["msg"] == "已经点过赞了")
        .count();
    assert_eq!((wins, repeats), (1, 11), "{answers:?}");
    assert_eq!(counter(&lib, "up_count", d[0]).await, 1);
    let others = (0..10).map(|i| {
        let lib = &lib;
        let path = &path;
        async move {
            let who = lib
                .app
                .seed_customer(lib.company, Some(&format!("粉丝{i}")))
                .await;
            lib.app.post_signed(path, &who, "", &[]).await
        }
    });
    let answers = futures_util::future::join_all(others).await;
    assert!(answers.iter().all(|a| a["code"] == 200));
    assert_eq!(counter(&lib, "up_count", d[0]).await, 11);
}

#[actix_web::test]
async fn praise_errors_follow_the_spec() {
    let (lib, _case, d) = setup().await;
    let app = &lib.app;
    let theirs: i64 = app
        .scalar("SELECT id FROM diaries WHERE title = '别家的'", &[])
        .await;
    let draft: i64 = app
        .scalar("SELECT id FROM diaries WHERE title = '草稿'", &[])
        .await;

    let unknown = lib.post(&format!("{PRAISE}/999999"), &[]).await;
    let foreign = lib.post(&format!("{PRAISE}/{theirs}"), &[]).await;
    let hidden = lib.post(&format!("{PRAISE}/{draft}"), &[]).await;
    let bad = lib.post(&format!("{PRAISE}/1x"), &[]).await;
    let wrong_company = app
        .post_signed(
            &format!("{PRAISE}/{}", d[0]),
            &lib.customer,
            &format!("company_id={}", lib.other_company),
            &[],
        )
        .await;
    let by_get = lib.get(&format!("{PRAISE}/{}", d[0]), "").await;

    for body in [&unknown, &foreign, &hidden] {
        assert_answer(body, 302, "日记不存在");
    }
    assert_eq!(bad["code"], 301);
    assert_eq!(bad["msg"]["diary_id"][0]["code"], "invalid");
    assert_answer(&wrong_company, 404, "非法请求");
    assert_answer(&by_get, 402, "请求方式异常");
    assert_eq!(
        app.scalar("SELECT count(*) FROM case_diary_actions", &[])
            .await,
        0
    );
}
