//! Radar users (spec §9.3): editing, deleting and the list.

use super::radar_user::{add_user, user_form};
use super::{assert_answer, assert_illegal, field_error, office};

#[actix_web::test]
async fn updating_and_deleting_check_the_user_and_keep_names_unique() {
    let o = office().await;
    let zhang = o.app.seed_radar_user(o.a, "张三").await;
    o.app.seed_radar_user(o.a, "李四").await;
    let path = format!("/user/update/{}", zhang.id);

    let clash = o
        .app
        .admin_post(&path, &o.root, "", &[("username", "李四")])
        .await;
    let ok = o
        .app
        .admin_post(
            &path,
            &o.root,
            "",
            &[("username", "张三丰"), ("wechat", "zsf")],
        )
        .await;
    let no_status = o
        .app
        .admin_post(
            &format!("/user/update_status/{}", zhang.id),
            &o.root,
            "",
            &[],
        )
        .await;
    let deleted = o
        .app
        .admin_post(&format!("/user/delete/{}", zhang.id), &o.root, "", &[])
        .await;
    let again = o
        .app
        .admin_post(&format!("/user/delete/{}", zhang.id), &o.root, "", &[])
        .await;
    let gone = o
        .app
        .admin_post(&path, &o.root, "", &[("username", "x")])
        .await;

    assert_eq!(field_error(&clash["msg"], "username"), "用户名已存在");
    assert_answer(&ok, 200, "修改成功");
    assert_eq!(no_status["code"], 301);
    assert_answer(&deleted, 200, "删除成功");
    assert_answer(&again, 302, "用户ID不存在");
    assert_answer(&gone, 302, "用户ID不存在");
    let row = o
        .app
        .client()
        .await
        .query_one(
            "SELECT username, wechat, mingpian_phone, status FROM radar_users WHERE id = $1",
            &[&zhang.id],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "张三丰");
    assert_eq!(row.get::<_, Option<String>>(1).as_deref(), Some("zsf"));
    assert_eq!(
        row.get::<_, Option<String>>(2).as_deref(),
        Some("13900000000")
    );
    assert_eq!(row.get::<_, i16>(3), 3);
}

#[actix_web::test]
async fn the_list_filters_users_and_reports_quota_and_departments() {
    let o = office().await;
    let db = o.app.client().await;
    let sales: i64 = db
        .query_one(
            "INSERT INTO departments (company_id, name) VALUES ($1, '销售部') RETURNING id",
            &[&o.a],
        )
        .await
        .unwrap()
        .get(0);
    let foreign: i64 = db
        .query_one(
            "INSERT INTO departments (company_id, name) VALUES ($1, '外部') RETURNING id",
            &[&o.b],
        )
        .await
        .unwrap()
        .get(0);
    let mut form = user_form("钱七", "qianqi");
    let sales_list = format!("[{sales}]");
    form.push(("department_id", &sales_list));
    add_user(&o, &o.root, "", &form).await;
    o.app.seed_radar_user(o.a, "孙八").await;
    let foreign_list = format!("[{foreign}]");

    let crossed = add_user(
        &o,
        &o.root,
        "",
        &[
            ("username", "周九"),
            ("password", "x"),
            ("department_id", &foreign_list),
        ],
    )
    .await;
    let all = o.app.admin_get("/user", &o.root, "").await;
    let disabled = o.app.admin_get("/user", &o.root, "status=2").await;
    let by_name = o
        .app
        .admin_get("/user", &o.root, "username=%E5%AD%99")
        .await;
    let empty = o
        .app
        .admin_get("/user", &o.root, &format!("company_id={}", o.b))
        .await;

    assert_illegal(&crossed);
    assert_eq!(all["data"]["data_count"], 2);
    assert_eq!(all["data"]["mingpian_available_num"], 5);
    assert_eq!(all["data"]["department_list"][0]["name"], "销售部");
    let qian = &disabled["data"]["ret_data"][0];
    assert_eq!(disabled["data"]["data_count"], 1);
    assert_eq!(
        (qian["username"].as_str(), qian["department"].as_str()),
        (Some("钱七"), Some("销售部"))
    );
    assert_eq!(qian["department_id"], serde_json::json!([sales]));
    assert_eq!(
        (qian["status_text"].as_str(), qian["phone"].as_str()),
        (Some("AI雷达不启用"), Some("13800000000"))
    );
    assert_eq!(by_name["data"]["ret_data"][0]["username"], "孙八");
    assert_answer(&empty, 200, "查询成功");
    assert_eq!(empty["data"]["ret_data"], serde_json::json!([]));
}
