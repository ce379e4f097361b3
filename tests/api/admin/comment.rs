//! Diary comments (spec §9.6): moderation list, approval, deletion (comment_count follows), and the
//! company's comment-moderation switch.

use super::case::seed_case;
use super::diary::seed_diary;
use super::{assert_answer, assert_illegal, office, Office};

/// A comment by `customer` on `diary`; returns its id (and bumps the diary's count, like M32).
async fn seed_comment(o: &Office, diary: i64, customer: i64, text: &str) -> i64 {
    let db = o.app.client().await;
    db.execute(
        "UPDATE diaries SET comment_count = comment_count + 1 WHERE id = $1",
        &[&diary],
    )
    .await
    .unwrap();
    db.query_one(
        "INSERT INTO diary_comments (diary_id, from_customer_id, content) VALUES ($1, $2, $3) RETURNING id",
        &[&diary, &customer, &text],
    )
    .await
    .unwrap()
    .get(0)
}

async fn comment_count(o: &Office, diary: i64) -> i64 {
    o.app
        .scalar(
            "SELECT comment_count::bigint FROM diaries WHERE id = $1",
            &[&diary],
        )
        .await
}

/// A diary of company `a` with two comments (a named and a nameless customer).
async fn two_comments(o: &Office) -> (i64, i64, i64, i64) {
    let case = seed_case(o, "案例", "1").await;
    let diary = seed_diary(o, case).await;
    let named = o.app.seed_customer(o.a, Some("小红")).await;
    let nameless = o.app.seed_customer(o.a, None).await;
    let first = seed_comment(o, diary, named.id, "真好看").await;
    let second = seed_comment(o, diary, nameless.id, "求联系方式").await;
    (diary, first, second, nameless.id)
}

#[actix_web::test]
async fn the_comment_list_pages_filters_by_audit_state_and_names_diary_and_customer() {
    let o = office().await; // Arrange
    let (diary, first, second, nameless) = two_comments(&o).await;

    let pending = o
        .app
        .admin_get("/comment_manage/diary", &o.root, "is_audit_pass=0")
        .await; // Act
    let approved = o
        .app
        .admin_post(
            "/comment_manage/audit_pass",
            &o.root,
            "",
            &[("ids_list", &format!("[{first}]"))],
        )
        .await;
    let passed = o
        .app
        .admin_get("/comment_manage/diary", &o.root, "is_audit_pass=1")
        .await;
    let page = o
        .app
        .admin_get("/comment_manage/diary", &o.root, "length=1&current_page=2")
        .await;

    assert_answer(&pending, 200, "查询成功"); // Assert
    assert_eq!(pending["data"]["data_count"], 2);
    let newest = &pending["data"]["ret_data"][0];
    assert_eq!(newest["id"], second);
    assert_eq!(newest["diary_id"], diary);
    assert_eq!(newest["diary_title"], "第一天");
    assert_eq!(newest["from_customer_name"], format!("客户ID{nameless}"));
    assert_eq!(newest["content"], "求联系方式");
    assert_eq!(newest["is_audit_pass"], 0);
    assert_eq!(pending["data"]["ret_data"][1]["from_customer_name"], "小红");
    assert_answer(&approved, 200, "审核成功");
    assert_eq!(passed["data"]["data_count"], 1);
    assert_eq!(passed["data"]["ret_data"][0]["id"], first);
    assert_eq!(passed["data"]["ret_data"][0]["is_audit_pass"], 1);
    assert_eq!(page["data"]["ret_data"].as_array().unwrap().len(), 1);
    assert_eq!(page["data"]["ret_data"][0]["id"], first);
}

#[actix_web::test]
async fn deleting_comments_lowers_the_diary_comment_count_but_never_below_zero() {
    let o = office().await;
    let (diary, first, second, _) = two_comments(&o).await;
    let before = comment_count(&o, diary).await;

    let one = o
        .app
        .admin_post(
            "/comment_manage/delete",
            &o.root,
            "",
            &[("ids_list", &format!("[{first}]"))],
        )
        .await;
    let after_one = comment_count(&o, diary).await;
    // A counter that drifted below the rows (e.g. legacy data) stops at zero.
    o.app
        .client()
        .await
        .execute("UPDATE diaries SET comment_count = 0", &[])
        .await
        .unwrap();
    let other = o
        .app
        .admin_post(
            "/comment_manage/delete",
            &o.root,
            "",
            &[("ids_list", &format!("[\"{second}\"]"))],
        )
        .await;

    assert_eq!(before, 2);
    assert_answer(&one, 200, "删除成功");
    assert_eq!(after_one, 1);
    assert_answer(&other, 200, "删除成功");
    assert_eq!(comment_count(&o, diary).await, 0);
    assert_eq!(
        o.app
            .scalar("SELECT count(*) FROM diary_comments", &[])
            .await,
        0
    );
}

#[actix_web::test]
async fn unknown_or_foreign_comment_ids_change_nothing() {
    let o = office().await;
    let (diary, first, _, _) = two_comments(&o).await;
    let outsider = o.app.seed_admin(o.b, 2).await;
    let ids = format!("[{first}, 999999]");
    let own = format!("[{first}]");

    let approve = o
        .app
        .admin_post(
            "/comment_manage/audit_pass",
            &o.root,
            "",
            &[("ids_list", &ids)],
        )
        .await;
    let delete = o
        .app
        .admin_post("/comment_manage/delete", &o.root, "", &[("ids_list", &ids)])
        .await;
    let foreign = o
        .app
        .admin_post(
            "/comment_manage/delete",
            &outsider,
            "",
            &[("ids_list", &own)],
        )
        .await;
    let foreign_list = o
        .app
        .admin_get(
            "/comment_manage/diary",
            &outsider,
            &format!("company_id={}", o.a),
        )
        .await;
    let malformed = o
        .app
        .admin_post(
            "/comment_manage/delete",
            &o.root,
            "",
            &[("ids_list", "1,2")],
        )
        .await;
    let empty = o
        .app
        .admin_post(
            "/comment_manage/audit_pass",
            &o.root,
            "",
            &[("ids_list", "[]")],
        )
        .await;

    assert_answer(&approve, 302, "数据不存在");
    assert_answer(&delete, 302, "数据不存在");
    assert_answer(&foreign, 302, "数据不存在");
    assert_illegal(&foreign_list);
    assert_eq!(malformed["code"], 301);
    assert_answer(&empty, 302, "数据不存在");
    assert_eq!(
        o.app
            .scalar(
                "SELECT count(*) FROM diary_comments WHERE is_audit_pass = 0",
                &[]
            )
            .await,
        2
    );
    assert_eq!(comment_count(&o, diary).await, 2);
}

#[actix_web::test]
async fn comment_moderation_is_a_company_switch_that_starts_off() {
    let o = office().await;
    let manager = o.app.seed_admin(o.a, 2).await;
    let path = |c: i64| format!("/company/update_comment_moderation/{c}");
    let moderation = |c: i64| {
        let app = &o.app;
        async move {
            app.scalar(
                "SELECT comment_moderation::int::bigint FROM companies WHERE id = $1",
                &[&c],
            )
            .await
        }
    };
    let initially = moderation(o.a).await;

    let on = o
        .app
        .admin_post(&path(o.a), &manager, "", &[("comment_moderation", "1")])
        .await;
    let foreign = o
        .app
        .admin_post(&path(o.b), &manager, "", &[("comment_moderation", "1")])
        .await;
    let bad = o
        .app
        .admin_post(&path(o.a), &manager, "", &[("comment_moderation", "7")])
        .await;
    let missing = o
        .app
        .admin_post(&path(999999), &o.root, "", &[("comment_moderation", "1")])
        .await;

    assert_eq!(initially, 0);
    assert_answer(&on, 200, "修改成功");
    assert_eq!(moderation(o.a).await, 1);
    assert_illegal(&foreign);
    assert_eq!(moderation(o.b).await, 0);
    assert_eq!(bad["code"], 301);
    assert_answer(&missing, 302, "公司不存在");
    assert_eq!(bad["msg"]["comment_moderation"][0]["code"], "invalid");
}
