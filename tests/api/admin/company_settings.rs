//! A company's switches and mini-program app (spec §9.2), set by its own admins.

use super::{assert_answer, assert_illegal, office};

#[actix_web::test]
async fn company_switches_are_set_by_its_own_admins_and_checked() {
    let o = office().await;
    let manager = o.app.seed_admin(o.a, 2).await;
    let own = |op: &str| format!("/company/{op}/{}", o.a);

    let shop = o
        .app
        .admin_post(
            &own("change_shopping_type"),
            &manager,
            "",
            &[("shopping_type", "1")],
        )
        .await;
    let empty = o
        .app
        .admin_post(&own("change_shopping_type"), &manager, "", &[])
        .await;
    let support = o
        .app
        .admin_post(
            &own("is_show_technical_support"),
            &manager,
            "",
            &[("status", "2")],
        )
        .await;
    let unique = o
        .app
        .admin_post(
            &own("update_customer_unique"),
            &manager,
            "",
            &[("is_customer_unique", "1")],
        )
        .await;
    let bad = o
        .app
        .admin_post(
            &own("update_customer_unique"),
            &manager,
            "",
            &[("is_customer_unique", "7")],
        )
        .await;
    let other = o
        .app
        .admin_post(
            &format!("/company/change_shopping_type/{}", o.b),
            &manager,
            "",
            &[("shopping_type", "1")],
        )
        .await;
    let missing = o
        .app
        .admin_post(
            "/company/is_show_technical_support/999999",
            &o.root,
            "",
            &[("status", "1")],
        )
        .await;

    assert_answer(&shop, 200, "设置成功");
    assert_answer(&empty, 303, "购物类型不能为空");
    assert_answer(&support, 200, "修改成功");
    assert_answer(&unique, 200, "修改成功");
    assert_eq!(bad["code"], 301);
    assert_illegal(&other);
    assert_answer(&missing, 302, "公司不存在");
    let row = o
        .app
        .client()
        .await
        .query_one(
            "SELECT shopping_type, is_show_jszc, is_customer_unique FROM companies WHERE id = $1",
            &[&o.a],
        )
        .await
        .unwrap();
    assert_eq!(
        (
            row.get::<_, i16>(0),
            row.get::<_, i16>(1),
            row.get::<_, bool>(2)
        ),
        (1, 2, true)
    );
    let b_type = o
        .app
        .scalar(
            "SELECT shopping_type::bigint FROM companies WHERE id = $1",
            &[&o.b],
        )
        .await;
    assert_eq!(b_type, 2);
}

#[actix_web::test]
async fn the_mini_program_app_is_created_then_updated_in_place() {
    let o = office().await;
    let fresh = o.app.seed_company("丙公司").await;
    o.app
        .client()
        .await
        .execute(
            "DELETE FROM mini_program_apps WHERE company_id = $1",
            &[&fresh],
        )
        .await
        .unwrap();
    let path = format!("/company/update_xcx_app/{fresh}");

    let created = o
        .app
        .admin_post(
            &path,
            &o.root,
            "",
            &[
                ("authorization_appid", "wx1"),
                ("app_secret", "s1"),
                ("three_services_type", "1"),
            ],
        )
        .await;
    let updated = o
        .app
        .admin_post(
            &path,
            &o.root,
            "",
            &[
                ("authorization_appid", "wx2"),
                ("version_num", "2.0"),
                ("three_services_type", "2"),
            ],
        )
        .await;
    let invalid = o
        .app
        .admin_post(&path, &o.root, "", &[("three_services_type", "3")])
        .await;

    assert_answer(&created, 200, "保存成功");
    assert_answer(&updated, 200, "保存成功");
    assert_eq!(invalid["code"], 301);
    let row = o.app.client().await
        .query_one("SELECT authorization_appid, app_secret, version_num, three_services_type FROM mini_program_apps WHERE company_id = $1", &[&fresh])
        .await.unwrap();
    assert_eq!(row.get::<_, String>(0), "wx2");
    assert_eq!(row.get::<_, Option<String>>(1).as_deref(), Some("s1"));
    assert_eq!(row.get::<_, Option<String>>(2).as_deref(), Some("2.0"));
    assert_eq!(row.get::<_, i16>(3), 2);
}

#[actix_web::test]
async fn the_app_form_saves_the_subscribe_template_and_checks_its_field_mapping() {
    let o = office().await;
    let company = o.app.seed_company("丁公司").await;
    let path = format!("/company/update_xcx_app/{company}");
    let form = |fields: &'static str| {
        vec![
            ("authorization_appid", "wx1"),
            ("three_services_type", "1"),
            ("subscribe_template_id", "sub-tpl"),
            ("subscribe_fields", fields),
        ]
    };

    let saved = o
        .app
        .admin_post(
            &path,
            &o.root,
            "",
            &form(r#"{"thing1":"sender","time2":"time"}"#),
        )
        .await;
    let not_object = o.app.admin_post(&path, &o.root, "", &form("[1]")).await;
    let bad_key = o
        .app
        .admin_post(&path, &o.root, "", &form(r#"{"thing 1":"sender"}"#))
        .await;

    assert_answer(&saved, 200, "保存成功");
    assert_eq!(not_object["code"], 301);
    assert_eq!(bad_key["code"], 301);
    assert!(bad_key["msg"]["subscribe_fields"].is_array(), "{bad_key}");
    let row = o.app.client().await
        .query_one("SELECT subscribe_template_id, subscribe_fields FROM mini_program_apps WHERE company_id = $1", &[&company])
        .await.unwrap();
    assert_eq!(row.get::<_, Option<String>>(0).as_deref(), Some("sub-tpl"));
    assert_eq!(
        row.get::<_, Option<serde_json::Value>>(1),
        Some(serde_json::json!({"thing1": "sender", "time2": "time"}))
    );
}
