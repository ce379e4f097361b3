//! Case diaries (spec §9.6): list, add, edit (each bumps the case's update_date), logical delete.

use serde_json::json;

use super::case::seed_case;
use super::{assert_answer, assert_illegal, office, Office};

/// A full diary form for case `case`.
fn diary_form(case: &str) -> Vec<(&str, &str)> {
    vec![
        ("case_id", case),
        ("title", "第一天"),
        ("summary", "术后第一天"),
        ("diary_date", "2019-01-02 08:30:00"),
        ("cover_picture", r#"["statics/d.jpg"]"#),
        ("content", "<p>恢复良好</p>"),
        ("status", "1"),
        ("cover_show_type", "1"),
    ]
}

/// A published diary of `case` (by the root admin); returns its id.
pub async fn seed_diary(o: &Office, case: i64) -> i64 {
    let case = case.to_string();
    let body = o
        .app
        .admin_post("/diary_manage/add/0", &o.root, "", &diary_form(&case))
        .await;
    body["data"]["diary_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{body}"))
}

async fn case_updated_secs_ago(o: &Office, case: i64) -> i64 {
    o.app
        .scalar(
            "SELECT COALESCE(extract(epoch FROM now() - update_date)::bigint, -1) FROM cases WHERE id = $1",
            &[&case],
        )
        .await
}

#[actix_web::test]
async fn adding_and_editing_a_diary_each_bump_the_cases_update_date() {
    let o = office().await; // Arrange
    let case = seed_case(&o, "案例", "1").await;
    let never = case_updated_secs_ago(&o, case).await;

    let id = seed_diary(&o, case).await; // Act
    let after_add = case_updated_secs_ago(&o, case).await;
    o.app
        .client()
        .await
        .execute(
            "UPDATE cases SET update_date = now() - interval '1 day'",
            &[],
        )
        .await
        .unwrap();
    let case_s = case.to_string();
    let mut edit = diary_form(&case_s);
    edit[1] = ("title", "第二天");
    edit[3] = ("diary_date", "2019-01-04 20:00:00");
    edit[4] = ("cover_picture", "{}");
    edit[5] = ("content", r#"[{"type":"text","data":["好"]}]"#);
    let edited = o
        .app
        .admin_post(&format!("/diary_manage/update/{id}"), &o.root, "", &edit)
        .await;
    let after_edit = case_updated_secs_ago(&o, case).await;
    let list = o
        .app
        .admin_get("/diary_manage/diary_list", &o.root, "")
        .await;

    assert_eq!(never, -1, "no diary yet: update_date is null"); // Assert
    assert!((0..60).contains(&after_add), "{after_add}");
    assert_answer(&edited, 200, "修改成功");
    assert!((0..60).contains(&after_edit), "{after_edit}");
    assert_answer(&list, 200, "查询成功");
    let item = &list["data"]["ret_data"][0];
    assert_eq!(item["title"], "第二天");
    assert_eq!(item["diary_date"], "2019-01-04");
    assert_eq!(item["cover_picture"], json!({}));
    assert_eq!(item["content"], json!([{"type": "text", "data": ["好"]}]));
    assert_eq!(
        (
            item["status_text"].as_str(),
            item["cover_show_type_text"].as_str()
        ),
        (Some("已发"), Some("只展示图片"))
    );
    assert_eq!(item["interval_days"], 0);
    assert_eq!(item["case_id"], case);
    assert_eq!(item["create_date"].as_str().unwrap().len(), 19);
}

#[actix_web::test]
async fn the_diary_list_counts_days_from_the_first_diary_of_the_case_and_filters() {
    let o = office().await;
    let case = seed_case(&o, "案例", "1").await;
    let first = seed_diary(&o, case).await;
    let case_s = case.to_string();
    let mut later = diary_form(&case_s);
    later[1] = ("title", "第十天");
    later[3] = ("diary_date", "2019-01-11 09:00:00");
    later[6] = ("status", "2");
    let added = o
        .app
        .admin_post("/diary_manage/add/0", &o.root, "", &later)
        .await;

    let all = o
        .app
        .admin_get(
            "/diary_manage/diary_list",
            &o.root,
            &format!("case_id={case}"),
        )
        .await;
    let drafts = o
        .app
        .admin_get("/diary_manage/diary_list", &o.root, "status=2")
        .await;
    let by_title = o
        .app
        .admin_get("/diary_manage/diary_list", &o.root, "title=%E5%8D%81")
        .await;
    let one = o
        .app
        .admin_get(
            "/diary_manage/diary_list",
            &o.root,
            &format!("diary_id={first}"),
        )
        .await;

    assert_answer(&added, 200, "添加成功");
    assert_eq!(all["data"]["data_count"], 2);
    assert_eq!(all["data"]["ret_data"][0]["interval_days"], 9);
    assert_eq!(all["data"]["ret_data"][0]["status_text"], "未发");
    assert_eq!(drafts["data"]["data_count"], 1);
    assert_eq!(by_title["data"]["ret_data"][0]["title"], "第十天");
    assert_eq!(one["data"]["ret_data"][0]["diary_id"], first);
    let reads = o
        .app
        .scalar("SELECT sum(read_count)::bigint FROM diaries", &[])
        .await;
    assert_eq!(reads, 0, "the back office does not count reads");
}

#[actix_web::test]
async fn every_diary_field_is_required_and_the_date_needs_its_time() {
    let o = office().await;
    let case = seed_case(&o, "案例", "1").await.to_string();
    let mut no_time = diary_form(&case);
    no_time[3] = ("diary_date", "2019-01-02");
    let mut bad_json = diary_form(&case);
    bad_json[4] = ("cover_picture", "[oops");

    let empty = o
        .app
        .admin_post("/diary_manage/add/0", &o.root, "", &[])
        .await;
    let date = o
        .app
        .admin_post("/diary_manage/add/0", &o.root, "", &no_time)
        .await;
    let json = o
        .app
        .admin_post("/diary_manage/add/0", &o.root, "", &bad_json)
        .await;

    assert_eq!(empty["code"], 301);
    for field in [
        "case_id",
        "title",
        "summary",
        "diary_date",
        "cover_picture",
        "content",
        "status",
        "cover_show_type",
    ] {
        assert_eq!(
            empty["msg"][field][0]["code"], "required",
            "{field}: {empty}"
        );
    }
    assert_eq!(
        date["msg"]["diary_date"][0]["message"],
        "Enter a valid date/time."
    );
    assert_eq!(
        json["msg"]["cover_picture"][0]["message"],
        "Enter a valid JSON."
    );
    assert_eq!(o.app.scalar("SELECT count(*) FROM diaries", &[]).await, 0);
}

#[actix_web::test]
async fn a_deleted_diary_becomes_status_3_and_leaves_the_list() {
    let o = office().await;
    let case = seed_case(&o, "案例", "1").await;
    let one = seed_diary(&o, case).await;
    let two = seed_diary(&o, case).await;

    let deleted = o
        .app
        .admin_post(&format!("/diary_manage/delete/{one}"), &o.root, "", &[])
        .await;
    let doc_path = o
        .app
        .admin_post(&format!("/diary/delete/{two}"), &o.root, "", &[])
        .await;
    let again = o
        .app
        .admin_post(&format!("/diary_manage/delete/{one}"), &o.root, "", &[])
        .await;
    let list = o
        .app
        .admin_get("/diary_manage/diary_list", &o.root, "")
        .await;

    assert_answer(&deleted, 200, "删除成功");
    assert_answer(&doc_path, 200, "删除成功");
    assert_answer(&again, 302, "案例不存在");
    let statuses = o
        .app
        .scalar("SELECT sum(status)::bigint FROM diaries", &[])
        .await;
    assert_eq!(statuses, 6);
    assert_eq!(list["data"]["data_count"], 0);
    assert_eq!(list["data"]["ret_data"], json!([]));
}

#[actix_web::test]
async fn diaries_go_only_to_live_cases_the_caller_may_manage() {
    let o = office().await;
    let case = seed_case(&o, "案例", "1").await;
    let diary = seed_diary(&o, case).await;
    let outsider = o.app.seed_admin(o.b, 2).await;
    let case_s = case.to_string();

    let foreign_add = o
        .app
        .admin_post("/diary_manage/add/0", &outsider, "", &diary_form(&case_s))
        .await;
    let foreign_edit = o
        .app
        .admin_post(
            &format!("/diary_manage/update/{diary}"),
            &outsider,
            "",
            &diary_form(&case_s),
        )
        .await;
    let foreign_delete = o
        .app
        .admin_post(&format!("/diary_manage/delete/{diary}"), &outsider, "", &[])
        .await;
    let foreign_list = o
        .app
        .admin_get(
            "/diary_manage/diary_list",
            &outsider,
            &format!("company_id={}", o.a),
        )
        .await;
    let unknown_case = o
        .app
        .admin_post("/diary_manage/add/0", &o.root, "", &diary_form("999999"))
        .await;

    assert_illegal(&foreign_add);
    assert_illegal(&foreign_edit);
    assert_illegal(&foreign_delete);
    assert_illegal(&foreign_list);
    assert_answer(&unknown_case, 302, "案例不存在");
    assert_eq!(o.app.scalar("SELECT count(*) FROM diaries", &[]).await, 1);
}
