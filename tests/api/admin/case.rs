//! Case library cases (spec §9.6): list, add, edit, logical delete; unique published names, JSON
//! fields and company tags. Also the helpers the tag, diary and comment tests share.

use serde_json::{json, Value};

use super::{assert_answer, assert_illegal, field_error, office, Office};
use crate::helpers::Principal;

/// Adds a tag to the caller's company (or `extra`'s `company_id`); returns its id.
pub async fn seed_tag(o: &Office, who: &Principal, extra: &str, name: &str) -> i64 {
    let body = o
        .app
        .admin_post("/case_tag/add/0", who, extra, &[("tag_name", name)])
        .await;
    body["data"][0]["tag_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{body}"))
}

/// POSTs a case form to `/case_manage/add/0`.
pub async fn add_case(o: &Office, who: &Principal, extra: &str, form: &[(&str, &str)]) -> Value {
    o.app
        .admin_post("/case_manage/add/0", who, extra, form)
        .await
}

/// A case of company `a` called `name` with `status`; returns its id.
pub async fn seed_case(o: &Office, name: &str, status: &str) -> i64 {
    let form = [
        ("case_name", name),
        ("customer_name", "王女士"),
        ("status", status),
        ("cover_picture", r#"["statics/c.jpg"]"#),
    ];
    let body = add_case(o, &o.root, "", &form).await;
    body["data"]["case_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{body}"))
}

async fn case_status(o: &Office, id: i64) -> i64 {
    o.app
        .scalar("SELECT status::bigint FROM cases WHERE id = $1", &[&id])
        .await
}

#[actix_web::test]
async fn an_admin_adds_edits_and_lists_cases_with_their_tags() {
    let o = office().await; // Arrange
    let t1 = seed_tag(&o, &o.root, "", "双眼皮").await;
    let t2 = seed_tag(&o, &o.root, "", "隆鼻").await;
    let tags = format!("[{t1}, \"{t2}\"]");
    let form = [
        ("case_name", "案例一"),
        ("customer_name", "李女士"),
        ("headimgurl", "statics/h.jpg"),
        ("status", "2"),
        ("cover_picture", r#"["statics/a.jpg"]"#),
        ("tags_id_list", tags.as_str()),
    ];

    let added = add_case(&o, &o.root, "", &form).await; // Act
    let id = added["data"]["case_id"].as_i64().unwrap();
    let edited = o
        .app
        .admin_post(
            &format!("/case_manage/update/{id}"),
            &o.root,
            "",
            &[
                ("case_name", "案例一改"),
                ("customer_name", "李女士"),
                ("status", "1"),
                ("tags_id_list", &format!("[{t2}]")),
            ],
        )
        .await;
    let list = o.app.admin_get("/case_manage/case_list", &o.root, "").await;
    let unpublished = o
        .app
        .admin_get("/case_manage/case_list", &o.root, "status=2")
        .await;

    assert_answer(&added, 200, "添加成功"); // Assert
    assert_answer(&edited, 200, "修改成功");
    assert_answer(&list, 200, "查询成功");
    assert_eq!(list["data"]["data_count"], 1);
    let item = &list["data"]["ret_data"][0];
    assert_eq!(
        (item["case_name"].as_str(), item["status_text"].as_str()),
        (Some("案例一改"), Some("已发"))
    );
    assert_eq!(item["headimgurl"], "statics/h.jpg");
    assert_eq!(item["cover_picture"], json!(["statics/a.jpg"]));
    assert_eq!(item["tag_list"], json!([{"id": t2, "name": "隆鼻"}]));
    assert_eq!(item["last_diary_data"], "");
    assert_eq!(item["update_date"], "");
    assert_eq!(item["create_date"].as_str().unwrap().len(), 19);
    assert_answer(&unpublished, 302, "数据不存在");
    let uses = o
        .app
        .scalar("SELECT sum(use_number)::bigint FROM case_tags", &[])
        .await;
    assert_eq!(uses, 2, "a tag kept by the edit is not counted twice");
}

#[actix_web::test]
async fn case_names_are_unique_among_the_companys_published_cases() {
    let o = office().await;
    let first = seed_case(&o, "同名", "1").await;
    let form = |status| {
        [
            ("case_name", "同名"),
            ("customer_name", "张女士"),
            ("status", status),
        ]
    };

    let twin = add_case(&o, &o.root, "", &form("1")).await;
    let draft = add_case(&o, &o.root, "", &form("2")).await;
    let draft_id = draft["data"]["case_id"].as_i64().unwrap();
    let publish = o
        .app
        .admin_post(
            &format!("/case_manage/update/{draft_id}"),
            &o.root,
            "",
            &form("1"),
        )
        .await;
    let elsewhere = add_case(&o, &o.root, &format!("company_id={}", o.b), &form("1")).await;
    o.app
        .admin_post(&format!("/case_manage/delete/{first}"), &o.root, "", &[])
        .await;
    let after_delete = o
        .app
        .admin_post(
            &format!("/case_manage/update/{draft_id}"),
            &o.root,
            "",
            &form("1"),
        )
        .await;

    assert_eq!(twin["code"], 301);
    assert_eq!(
        field_error(&twin["msg"], "case_name"),
        "不能存在相同的案例名"
    );
    assert_answer(&draft, 200, "添加成功");
    assert_eq!(
        field_error(&publish["msg"], "case_name"),
        "不能存在相同的案例名"
    );
    assert_answer(&elsewhere, 200, "添加成功");
    assert_answer(&after_delete, 200, "修改成功");
}

#[actix_web::test]
async fn malformed_json_missing_fields_and_foreign_tags_are_refused() {
    let o = office().await;
    let foreign = seed_tag(&o, &o.root, &format!("company_id={}", o.b), "别家").await;
    let base = [("case_name", "c"), ("customer_name", "n"), ("status", "1")];
    let with = |k: &'static str, v: &'static str| {
        let mut f = base.to_vec();
        f.push((k, v));
        f
    };

    let cover = add_case(&o, &o.root, "", &with("cover_picture", "{nope")).await;
    let ids = add_case(&o, &o.root, "", &with("tags_id_list", "1,2")).await;
    let unknown = add_case(&o, &o.root, "", &with("tags_id_list", "[999999]")).await;
    let other_tag = format!("[{foreign}]");
    let mut f = base.to_vec();
    f.push(("tags_id_list", other_tag.as_str()));
    let other = add_case(&o, &o.root, "", &f).await;
    let empty = add_case(&o, &o.root, "", &[]).await;
    let bad_status = add_case(&o, &o.root, "", &[("status", "3")]).await;

    assert_eq!(
        field_error(&cover["msg"], "cover_picture"),
        "Enter a valid JSON."
    );
    assert_eq!(cover["code"], 301);
    assert_eq!(ids["code"], 301);
    assert_eq!(field_error(&unknown["msg"], "tags_id_list"), "标签不存在");
    assert_illegal(&other);
    for field in ["case_name", "customer_name", "status"] {
        assert_eq!(empty["msg"][field][0]["code"], "required", "{empty}");
    }
    assert!(bad_status["msg"]["status"][0]["message"]
        .as_str()
        .unwrap()
        .contains("3"));
    assert_eq!(o.app.scalar("SELECT count(*) FROM cases", &[]).await, 0);
}

#[actix_web::test]
async fn deleted_cases_become_status_3_with_their_diaries_and_leave_the_list() {
    let o = office().await;
    let one = seed_case(&o, "一", "1").await;
    let two = seed_case(&o, "二", "2").await;
    let diary = super::diary::seed_diary(&o, one).await;

    let deleted = o
        .app
        .admin_post(&format!("/case_manage/delete/{one}"), &o.root, "", &[])
        .await;
    let doc_path = o
        .app
        .admin_post(&format!("/case/delete/{two}"), &o.root, "", &[])
        .await;
    let again = o
        .app
        .admin_post(&format!("/case_manage/delete/{one}"), &o.root, "", &[])
        .await;
    let edit = o
        .app
        .admin_post(
            &format!("/case_manage/update/{one}"),
            &o.root,
            "",
            &[("case_name", "x"), ("customer_name", "y"), ("status", "1")],
        )
        .await;
    let list = o.app.admin_get("/case_manage/case_list", &o.root, "").await;

    assert_answer(&deleted, 200, "删除成功");
    assert_answer(&doc_path, 200, "删除成功");
    assert_eq!(
        (case_status(&o, one).await, case_status(&o, two).await),
        (3, 3)
    );
    let diary_status = o
        .app
        .scalar(
            "SELECT status::bigint FROM diaries WHERE id = $1",
            &[&diary],
        )
        .await;
    assert_eq!(diary_status, 3);
    assert_answer(&again, 302, "案例不存在");
    assert_answer(&edit, 302, "案例不存在");
    assert_answer(&list, 302, "数据不存在");
}

#[actix_web::test]
async fn the_case_list_shows_the_newest_diary_filters_and_pages() {
    let o = office().await;
    let one = seed_case(&o, "一", "1").await;
    seed_case(&o, "二", "2").await;
    super::diary::seed_diary(&o, one).await;

    let list = o
        .app
        .admin_get("/case_manage/case_list", &o.root, "length=1")
        .await;
    let single = o
        .app
        .admin_get("/case_manage/case_list", &o.root, &format!("case_id={one}"))
        .await;
    let by_customer = o
        .app
        .admin_get("/case_manage/case_list", &o.root, "customer_name=%E7%8E%8B")
        .await;

    assert_eq!(list["data"]["data_count"], 2);
    let first = &list["data"]["ret_data"][0];
    assert_eq!(first["case_id"], one, "newest update_date first");
    assert_eq!(first["last_diary_data"]["title"], "第一天");
    assert_eq!(first["last_diary_data"]["diary_date"], "2019-01-02");
    assert_eq!(first["last_diary_data"]["status_text"], "已发");
    assert_eq!(single["data"]["ret_data"][0]["last_diary_data"], "");
    assert_eq!(by_customer["data"]["data_count"], 2);
}

#[actix_web::test]
async fn company_admins_manage_only_their_own_companys_cases() {
    let o = office().await;
    let case = seed_case(&o, "甲的案例", "1").await;
    let outsider = o.app.seed_admin(o.b, 2).await;
    let member = o.app.seed_admin(o.a, 3).await;
    let form = [("case_name", "x"), ("customer_name", "y"), ("status", "2")];

    let list = o
        .app
        .admin_get(
            "/case_manage/case_list",
            &outsider,
            &format!("company_id={}", o.a),
        )
        .await;
    let edit = o
        .app
        .admin_post(&format!("/case_manage/update/{case}"), &outsider, "", &form)
        .await;
    let delete = o
        .app
        .admin_post(&format!("/case_manage/delete/{case}"), &outsider, "", &[])
        .await;
    let add = add_case(&o, &outsider, &format!("company_id={}", o.a), &form).await;
    let own = add_case(&o, &member, "", &form).await;

    assert_illegal(&list);
    assert_illegal(&edit);
    assert_illegal(&delete);
    assert_illegal(&add);
    assert_answer(&own, 200, "添加成功");
    assert_eq!(case_status(&o, case).await, 1);
}
