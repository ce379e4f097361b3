//! The company website and its templates (spec §9.5).

use serde_json::{json, Value};

use super::{assert_answer, assert_illegal, field_error, office};

const SITE: &str = r#"[{"type":"guntu","data":[{"picture_url":"statics/w.jpg"}]},{"type":"content","data":["你好"]}]"#;

#[actix_web::test]
async fn a_saved_website_is_shown_to_admins_and_to_customers_as_sent() {
    let o = office().await; // Arrange
    let radar = o.app.seed_radar_user(o.a, "张三").await;
    let customer = o.app.seed_customer(o.a, Some("客户")).await;

    let saved = o
        .app
        .admin_post(
            &format!("/website/edit/{}", o.a),
            &o.root,
            "",
            &[("website_content", SITE)],
        )
        .await; // Act
    let shown = o
        .app
        .admin_get("/website", &o.root, &format!("company_id={}", o.a))
        .await;
    let seen = o
        .app
        .get_signed(
            "/zhugeleida/xiaochengxu/website",
            &customer,
            &format!("uid={}", radar.id),
        )
        .await;

    let expected: Value = serde_json::from_str(SITE).unwrap(); // Assert
    assert_answer(&saved, 200, "保存成功");
    let item = &shown["data"]["ret_data"][0];
    assert_eq!(
        (item["id"].as_i64(), item["name"].as_str()),
        (Some(o.a), Some("甲公司"))
    );
    assert_eq!(item["website_content"], expected);
    assert_eq!(seen["data"]["ret_data"], expected);
}

#[actix_web::test]
async fn malformed_website_json_is_a_301_and_keeps_the_old_site() {
    let o = office().await;
    let path = format!("/website/edit/{}", o.a);
    o.app
        .admin_post(&path, &o.root, "", &[("website_content", SITE)])
        .await;

    let broken = o
        .app
        .admin_post(&path, &o.root, "", &[("website_content", "[{")])
        .await;
    let nul = o
        .app
        .admin_post(&path, &o.root, "", &[("website_content", r#"["\u0000"]"#)])
        .await;
    let missing = o.app.admin_post(&path, &o.root, "", &[]).await;
    let bad_id = o
        .app
        .admin_post("/website/edit/x", &o.root, "", &[("website_content", "[]")])
        .await;

    for body in [&broken, &nul, &missing, &bad_id] {
        assert_eq!(body["code"], 301, "{body}");
    }
    assert!(broken["msg"]["website_content"].is_array());
    let stored: Value = o
        .app
        .client()
        .await
        .query_one(
            "SELECT website_content FROM companies WHERE id = $1",
            &[&o.a],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, serde_json::from_str::<Value>(SITE).unwrap());
}

#[actix_web::test]
async fn websites_of_other_or_missing_companies_are_refused() {
    let o = office().await;
    let manager = o.app.seed_admin(o.a, 2).await;

    let foreign_edit = o
        .app
        .admin_post(
            &format!("/website/edit/{}", o.b),
            &manager,
            "",
            &[("website_content", "[]")],
        )
        .await;
    let foreign_show = o
        .app
        .admin_get("/website", &manager, &format!("company_id={}", o.b))
        .await;
    let own_show = o.app.admin_get("/website", &manager, "").await;
    let missing = o
        .app
        .admin_post(
            "/website/edit/999999",
            &o.root,
            "",
            &[("website_content", "[]")],
        )
        .await;

    assert_illegal(&foreign_edit);
    assert_illegal(&foreign_show);
    assert_eq!(own_show["data"]["ret_data"][0]["id"].as_i64(), Some(o.a));
    assert_eq!(missing["code"], 301);
    assert_eq!(field_error(&missing["msg"], "company_id"), "公司不存在");
}

#[actix_web::test]
async fn super_admins_manage_templates_that_every_admin_can_list() {
    let o = office().await;
    let manager = o.app.seed_admin(o.b, 2).await;
    let form = [("name", "模板一"), ("template_content", SITE)];

    let added = o
        .app
        .admin_post("/website_template/add/0", &o.root, "", &form)
        .await;
    let refused = o
        .app
        .admin_post("/website_template/add/0", &manager, "", &form)
        .await;
    let id = added["data"]["id"].as_i64().unwrap();
    let updated = o
        .app
        .admin_post(
            &format!("/website_template/update/{id}"),
            &o.root,
            "",
            &[("name", "模板二"), ("template_content", "[]")],
        )
        .await;
    let listed = o.app.admin_get("/website_template", &manager, "").await;
    let deleted = o
        .app
        .admin_post(&format!("/website_template/delete/{id}"), &o.root, "", &[])
        .await;
    let again = o
        .app
        .admin_post(&format!("/website_template/delete/{id}"), &o.root, "", &[])
        .await;

    assert_answer(&added, 200, "保存成功");
    assert_illegal(&refused);
    assert_answer(&updated, 200, "保存成功");
    assert_eq!(listed["data"]["data_count"], 1);
    let item = &listed["data"]["ret_data"][0];
    assert_eq!(
        (item["name"].as_str(), &item["template_content"]),
        (Some("模板二"), &json!([]))
    );
    assert_answer(&deleted, 200, "删除成功");
    assert_answer(&again, 302, "模板不存在");
}
