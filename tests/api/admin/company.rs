//! Companies (spec §9.2): list, create, update, soft delete, switches and the mini-program app.

use super::{assert_answer, assert_illegal, field_error, office};

fn company_form<'a>(name: &'a str, start: &'a str, months: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("charging_start_time", start),
        ("open_length_time", months),
        ("mingpian_available_num", "20"),
        ("product_function_type", "2"),
        ("remarks", "备注"),
    ]
}

#[actix_web::test]
async fn a_super_admin_creates_a_company_whose_service_ends_after_calendar_months() {
    let o = office().await; // Arrange
    let form = company_form("丙公司", "2019-01-31", "1");

    let body = o
        .app
        .admin_post("/company/add_company/0", &o.root, "", &form)
        .await; // Act
    let again = o
        .app
        .admin_post("/company/add_company/0", &o.root, "", &form)
        .await;

    assert_answer(&body, 200, "添加成功"); // Assert
    let id = body["data"]["company_id"].as_i64().unwrap();
    let row = o.app.client().await
        .query_one(
            "SELECT to_char(account_expired_time AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'),
                    mingpian_available_num, product_function_type, status
             FROM companies WHERE id = $1",
            &[&id],
        )
        .await.unwrap();
    assert_eq!(row.get::<_, String>(0), "2019-02-28 00:00");
    assert_eq!(
        (
            row.get::<_, i16>(1),
            row.get::<_, i16>(2),
            row.get::<_, i16>(3)
        ),
        (20, 2, 1)
    );
    assert_eq!(again["code"], 301);
    assert_eq!(field_error(&again["msg"], "name"), "公司名已存在");
}

#[actix_web::test]
async fn company_forms_reject_missing_huge_and_malformed_values() {
    let o = office().await;
    let bad = [
        ("name", "丁公司"),
        ("charging_start_time", "2019-02-30"),
        ("open_length_time", "99999999999999999999"),
        ("mingpian_available_num", "40000"),
    ];

    let body = o
        .app
        .admin_post("/company/add_company/0", &o.root, "", &bad)
        .await;

    assert_eq!(body["code"], 301);
    for field in [
        "charging_start_time",
        "open_length_time",
        "mingpian_available_num",
        "product_function_type",
    ] {
        assert!(body["msg"][field].is_array(), "{field}: {body}");
    }
    assert_eq!(o.app.scalar("SELECT count(*) FROM companies", &[]).await, 2);
}

#[actix_web::test]
async fn company_admins_cannot_create_update_or_delete_companies() {
    let o = office().await;
    let manager = o.app.seed_admin(o.a, 2).await;
    let form = company_form("戊公司", "2020-01-01", "12");

    let add = o
        .app
        .admin_post("/company/add_company/0", &manager, "", &form)
        .await;
    let update = o
        .app
        .admin_post(
            &format!("/company/update_company/{}", o.a),
            &manager,
            "",
            &form,
        )
        .await;
    let delete = o
        .app
        .admin_post(&format!("/company/delete/{}", o.b), &manager, "", &[])
        .await;

    for body in [add, update, delete] {
        assert_illegal(&body);
    }
    assert_eq!(
        o.app
            .scalar(
                "SELECT count(*) FROM companies WHERE status = 1 AND name <> '戊公司'",
                &[]
            )
            .await,
        2
    );
}

#[actix_web::test]
async fn the_company_list_shows_every_company_to_super_admins_and_only_their_own_to_others() {
    let o = office().await;
    let manager = o.app.seed_admin(o.b, 2).await;
    o.app.seed_radar_user(o.b, "张三").await;
    o.app.seed_customer(o.b, Some("客户")).await;

    let all = o.app.admin_get("/company", &o.root, "").await;
    let filtered = o.app.admin_get("/company", &o.root, "name=%E4%B9%99").await;
    let own = o.app.admin_get("/company", &manager, "").await;

    assert_answer(&all, 200, "查询成功");
    assert_eq!(all["data"]["data_count"], 2);
    assert_eq!(
        all["data"]["admin_is_hidden_choices"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(filtered["data"]["data_count"], 1);
    assert_eq!(own["data"]["data_count"], 1);
    let item = &own["data"]["ret_data"][0];
    assert_eq!(
        (item["company_id"].as_i64(), item["name"].as_str()),
        (Some(o.b), Some("乙公司"))
    );
    assert_eq!(
        (item["user_count"].as_i64(), item["customer_num"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(item["is_show_jszc_text"], "展示");
    assert!(item["available_days"].as_i64().unwrap() >= 364);
}

#[actix_web::test]
async fn updating_a_company_checks_its_name_and_existence() {
    let o = office().await;
    let path = format!("/company/update_company/{}", o.b);

    let clash = o
        .app
        .admin_post(
            &path,
            &o.root,
            "",
            &company_form("甲公司", "2020-01-01", "12"),
        )
        .await;
    let missing = o
        .app
        .admin_post(
            "/company/update_company/999999",
            &o.root,
            "",
            &company_form("新", "2020-01-01", "12"),
        )
        .await;
    let bad_id = o
        .app
        .admin_post(
            "/company/update_company/abc",
            &o.root,
            "",
            &company_form("新", "2020-01-01", "12"),
        )
        .await;
    let ok = o
        .app
        .admin_post(
            &path,
            &o.root,
            "",
            &company_form("乙公司二", "2020-01-01", "24"),
        )
        .await;

    assert_eq!(field_error(&clash["msg"], "name"), "公司名称已经存在");
    assert_answer(&missing, 302, "公司不存在");
    assert_eq!(field_error(&bad_id["msg"], "id"), "Enter a whole number.");
    assert_answer(&ok, 200, "修改成功");
    let months = o
        .app
        .scalar(
            "SELECT open_length_time::bigint FROM companies WHERE id = $1",
            &[&o.b],
        )
        .await;
    assert_eq!(months, 24);
}

#[actix_web::test]
async fn deleting_a_company_is_a_soft_delete_that_locks_its_admins_out() {
    let o = office().await;
    let b_admin = o.app.seed_admin(o.b, 2).await;
    o.app.seed_radar_user(o.b, "张三").await;

    let deleted = o
        .app
        .admin_post(&format!("/company/delete/{}", o.b), &o.root, "", &[])
        .await;
    let again = o
        .app
        .admin_post(&format!("/company/delete/{}", o.b), &o.root, "", &[])
        .await;
    let own = o
        .app
        .admin_post(&format!("/company/delete/{}", o.a), &o.root, "", &[])
        .await;
    let locked_out = o.app.admin_get("/company", &b_admin, "").await;

    assert_answer(&deleted, 200, "删除成功");
    assert_answer(&again, 302, "公司ID不存在");
    assert_eq!(own["code"], 305);
    assert_answer(&locked_out, 400, "token异常");
    assert_eq!(
        o.app
            .scalar(
                "SELECT status::bigint FROM companies WHERE id = $1",
                &[&o.b]
            )
            .await,
        3
    );
    assert_eq!(
        o.app
            .scalar(
                "SELECT count(*) FROM radar_users WHERE company_id = $1",
                &[&o.b]
            )
            .await,
        1
    );
}
