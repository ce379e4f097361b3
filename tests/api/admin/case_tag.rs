//! Case tags (spec §9.6): list, add, rename, delete; unique names per company.

use serde_json::json;

use super::case::{add_case, seed_tag};
use super::{assert_answer, assert_illegal, field_error, office};

#[actix_web::test]
async fn an_admin_adds_lists_renames_and_deletes_case_tags() {
    let o = office().await; // Arrange
    let added = o
        .app
        .admin_post("/case_tag/add/0", &o.root, "", &[("tag_name", "双眼皮")])
        .await;
    let first = added["data"][0]["tag_id"].as_i64().unwrap();
    let second = seed_tag(&o, &o.root, "", "隆鼻").await;

    let renamed = o
        .app
        .admin_post(
            &format!("/case_tag/update/{first}"),
            &o.root,
            "",
            &[("tag_name", "开眼角")],
        )
        .await; // Act
    let deleted = o
        .app
        .admin_post(&format!("/case_tag/delete/{second}"), &o.root, "", &[])
        .await;
    let list = o.app.admin_get("/case_tag", &o.root, "").await;
    let filtered = o
        .app
        .admin_get("/case_tag", &o.root, "name=%E7%9C%BC")
        .await;

    assert_eq!(
        added,
        json!({"code": 200, "msg": "添加成功", "data": [{"tag_id": first, "tag_name": "双眼皮"}], "note": {}})
    ); // Assert
    assert_answer(&renamed, 200, "修改成功");
    assert_answer(&deleted, 200, "删除成功");
    assert_eq!(
        list,
        json!({"code": 200, "msg": "", "data": {"ret_data": [{"id": first, "name": "开眼角"}], "data_count": 1}, "note": {}})
    );
    assert_eq!(filtered["data"]["data_count"], 1);
}

#[actix_web::test]
async fn a_duplicate_tag_name_is_a_303_form_error_within_one_company() {
    let o = office().await;
    seed_tag(&o, &o.root, "", "双眼皮").await;
    let other = seed_tag(&o, &o.root, "", "隆鼻").await;

    let twin = o
        .app
        .admin_post("/case_tag/add/0", &o.root, "", &[("tag_name", "双眼皮")])
        .await;
    let rename = o
        .app
        .admin_post(
            &format!("/case_tag/update/{other}"),
            &o.root,
            "",
            &[("tag_name", "双眼皮")],
        )
        .await;
    let empty = o.app.admin_post("/case_tag/add/0", &o.root, "", &[]).await;
    let too_long = o
        .app
        .admin_post(
            "/case_tag/add/0",
            &o.root,
            "",
            &[("tag_name", &"长".repeat(33))],
        )
        .await;
    let elsewhere = o
        .app
        .admin_post(
            "/case_tag/add/0",
            &o.root,
            &format!("company_id={}", o.b),
            &[("tag_name", "双眼皮")],
        )
        .await;

    assert_eq!(twin["code"], 303);
    assert_eq!(
        field_error(&twin["msg"], "tag_name"),
        "不能存在相同的标签名"
    );
    assert_eq!(rename["code"], 303);
    assert_eq!(
        field_error(&rename["msg"], "tag_name"),
        "不能存在相同的标签名"
    );
    assert_eq!(
        (
            empty["code"].as_i64(),
            empty["msg"]["tag_name"][0]["code"].as_str()
        ),
        (Some(303), Some("required"))
    );
    assert_eq!(too_long["code"], 303);
    assert_answer(&elsewhere, 200, "添加成功");
}

#[actix_web::test]
async fn deleting_a_tag_removes_its_case_links_and_unknown_tags_are_302() {
    let o = office().await;
    let tag = seed_tag(&o, &o.root, "", "双眼皮").await;
    let tags = format!("[{tag}]");
    let case = add_case(
        &o,
        &o.root,
        "",
        &[
            ("case_name", "案例"),
            ("customer_name", "王女士"),
            ("status", "1"),
            ("tags_id_list", &tags),
        ],
    )
    .await;
    assert_answer(&case, 200, "添加成功");

    let deleted = o
        .app
        .admin_post(&format!("/case_tag/delete/{tag}"), &o.root, "", &[])
        .await;
    let again = o
        .app
        .admin_post(&format!("/case_tag/delete/{tag}"), &o.root, "", &[])
        .await;
    let rename = o
        .app
        .admin_post(
            "/case_tag/update/999999",
            &o.root,
            "",
            &[("tag_name", "新")],
        )
        .await;
    let bad_id = o
        .app
        .admin_post("/case_tag/delete/abc", &o.root, "", &[])
        .await;

    assert_answer(&deleted, 200, "删除成功");
    assert_eq!(
        o.app
            .scalar("SELECT count(*) FROM case_tag_links", &[])
            .await,
        0
    );
    assert_answer(&again, 302, "标签ID不存在");
    assert_answer(&rename, 302, "标签ID不存在");
    assert_eq!(bad_id["code"], 301);
}

#[actix_web::test]
async fn company_admins_touch_only_their_own_companys_tags() {
    let o = office().await;
    let tag = seed_tag(&o, &o.root, "", "甲的标签").await;
    let outsider = o.app.seed_admin(o.b, 2).await;
    let member = o.app.seed_admin(o.a, 3).await;

    let list = o
        .app
        .admin_get("/case_tag", &outsider, &format!("company_id={}", o.a))
        .await;
    let add = o
        .app
        .admin_post(
            "/case_tag/add/0",
            &outsider,
            &format!("company_id={}", o.a),
            &[("tag_name", "x")],
        )
        .await;
    let rename = o
        .app
        .admin_post(
            &format!("/case_tag/update/{tag}"),
            &outsider,
            "",
            &[("tag_name", "x")],
        )
        .await;
    let delete = o
        .app
        .admin_post(&format!("/case_tag/delete/{tag}"), &outsider, "", &[])
        .await;
    let own_list = o.app.admin_get("/case_tag", &member, "").await;
    let root_elsewhere = o
        .app
        .admin_post(
            "/case_tag/add/0",
            &o.root,
            "company_id=999999",
            &[("tag_name", "x")],
        )
        .await;

    for body in [&list, &add, &rename, &delete] {
        assert_illegal(body);
    }
    assert_eq!(own_list["data"]["ret_data"][0]["name"], "甲的标签");
    // A company named by a parameter that does not exist: the form error every admin write gives.
    assert_eq!(root_elsewhere["code"], 301, "{root_elsewhere}");
    assert_eq!(
        field_error(&root_elsewhere["msg"], "company_id"),
        "公司不存在"
    );
    assert_eq!(o.app.scalar("SELECT count(*) FROM case_tags", &[]).await, 1);
}
