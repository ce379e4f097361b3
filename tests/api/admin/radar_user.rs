//! Radar users (spec §9.3): create within the quota, update, enable, delete, list, tenancy.

use serde_json::Value;

use super::{assert_answer, assert_illegal, field_error, office, Office};
use crate::helpers::Principal;

pub(super) fn user_form<'a>(username: &'a str, login: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("username", username),
        ("login_user", login),
        ("password", "Radar1234"),
        ("position", "销售"),
        ("phone", "13800000000"),
        ("mingpian_phone", "13900000000"),
    ]
}

pub(super) async fn add_user(
    o: &Office,
    who: &Principal,
    extra: &str,
    form: &[(&str, &str)],
) -> Value {
    o.app.admin_post("/user/add/0", who, extra, form).await
}

async fn radar_login(o: &Office, login: &str, password: &str) -> Value {
    o.app
        .post_form(
            "/zhugeleida/qiyeweixin/login",
            "",
            &[("login_user", login), ("password", password)],
        )
        .await
}

#[actix_web::test]
async fn a_created_radar_user_starts_disabled_and_logs_in_once_enabled() {
    let o = office().await; // Arrange
    let body = add_user(&o, &o.root, "", &user_form("李四", "lisi")).await;
    let id = body["data"]["id"].as_i64().unwrap();

    let before = radar_login(&o, "lisi", "Radar1234").await; // Act
    let enabled = o
        .app
        .admin_post(
            &format!("/user/update_status/{id}"),
            &o.root,
            "",
            &[("status", "1")],
        )
        .await;
    let after = radar_login(&o, "lisi", "Radar1234").await;

    assert_answer(&body, 200, "添加用户成功"); // Assert
    assert_answer(&before, 401, "账号或密码错误");
    assert_answer(&enabled, 200, "修改成功");
    assert_answer(&after, 200, "登录成功");
    assert_eq!(after["data"]["user_id"].as_i64(), Some(id));
    let row = o.app.client().await
        .query_one("SELECT userid, token, password, wechat_phone, company_id FROM radar_users WHERE id = $1", &[&id])
        .await.unwrap();
    let userid: String = row.get(0);
    assert!(
        userid.len() >= 16 && userid.bytes().all(|b| b.is_ascii_digit()),
        "{userid}"
    );
    assert_eq!(row.get::<_, String>(1).len(), 32);
    assert!(row.get::<_, String>(2).starts_with("$argon2"));
    assert_eq!(
        row.get::<_, Option<String>>(3).as_deref(),
        Some("13800000000")
    );
    assert_eq!(row.get::<_, i64>(4), o.a);
}

#[actix_web::test]
async fn the_card_quota_is_enforced_and_deleted_users_free_their_card() {
    let o = office().await;
    o.app
        .client()
        .await
        .execute(
            "UPDATE companies SET mingpian_available_num = 1 WHERE id = $1",
            &[&o.a],
        )
        .await
        .unwrap();
    let first = add_user(&o, &o.root, "", &user_form("一号", "one")).await;

    let over = add_user(&o, &o.root, "", &user_form("二号", "two")).await;
    let id = first["data"]["id"].as_i64().unwrap();
    o.app
        .admin_post(&format!("/user/delete/{id}"), &o.root, "", &[])
        .await;
    let after_delete = add_user(&o, &o.root, "", &user_form("二号", "two")).await;

    assert_answer(&over, 302, "超过明片最大开通数,请您联系管理员");
    assert_answer(&after_delete, 200, "添加用户成功");
    assert_eq!(
        o.app
            .scalar("SELECT count(*) FROM radar_users WHERE status <> 3", &[])
            .await,
        1
    );
}

#[actix_web::test]
async fn usernames_are_unique_per_company_and_login_names_everywhere() {
    let o = office().await;
    add_user(
        &o,
        &o.root,
        "",
        &[("username", "王五"), ("password", "Radar1234")],
    )
    .await;

    let same_name = add_user(&o, &o.root, "", &user_form("王五", "wangwu2")).await;
    let same_login = add_user(
        &o,
        &o.root,
        &format!("company_id={}", o.b),
        &[("username", "王五"), ("password", "x")],
    )
    .await;
    let other_company = add_user(
        &o,
        &o.root,
        &format!("company_id={}", o.b),
        &user_form("王五", "wangwu-b"),
    )
    .await;

    assert_eq!(field_error(&same_name["msg"], "username"), "用户名已存在");
    assert_eq!(same_login["code"], 301);
    assert_eq!(
        field_error(&same_login["msg"], "login_user"),
        "登录账号已存在"
    );
    assert_answer(&other_company, 200, "添加用户成功");
}

#[actix_web::test]
async fn radar_user_forms_check_required_fields_mobiles_and_ids() {
    let o = office().await;
    let bad_phones = [
        ("username", "赵六"),
        ("password", "x"),
        ("phone", "12345"),
        ("mingpian_phone", "2380000000a"),
    ];

    let missing = add_user(&o, &o.root, "", &[("position", "x")]).await;
    let phones = add_user(&o, &o.root, "", &bad_phones).await;
    let bad_id = o
        .app
        .admin_post("/user/update/1x", &o.root, "", &user_form("赵六", "z"))
        .await;
    let bad_departments = add_user(
        &o,
        &o.root,
        "",
        &[
            ("username", "赵六"),
            ("password", "x"),
            ("department_id", "[1,"),
        ],
    )
    .await;

    assert_eq!(missing["code"], 301);
    assert_eq!(missing["msg"]["username"][0]["code"], "required");
    assert_eq!(missing["msg"]["password"][0]["code"], "required");
    assert_eq!(field_error(&phones["msg"], "phone"), "手机号格式错误");
    assert_eq!(
        field_error(&phones["msg"], "mingpian_phone"),
        "手机号格式错误"
    );
    assert_eq!(bad_id["code"], 301);
    assert_eq!(bad_departments["code"], 301);
    assert_eq!(
        o.app.scalar("SELECT count(*) FROM radar_users", &[]).await,
        0
    );
}

#[actix_web::test]
async fn company_admins_cannot_touch_radar_users_of_another_company_but_super_admins_can() {
    let o = office().await;
    let manager = o.app.seed_admin(o.a, 2).await;
    let theirs = o.app.seed_radar_user(o.b, "外人").await;
    let b = format!("company_id={}", o.b);

    let bodies = [
        add_user(&o, &manager, &b, &user_form("新人", "newbie")).await,
        o.app.admin_get("/user", &manager, &b).await,
        o.app
            .admin_post(
                &format!("/user/update/{}", theirs.id),
                &manager,
                "",
                &user_form("改名", "x"),
            )
            .await,
        o.app
            .admin_post(
                &format!("/user/update_status/{}", theirs.id),
                &manager,
                "",
                &[("status", "2")],
            )
            .await,
        o.app
            .admin_post(&format!("/user/delete/{}", theirs.id), &manager, "", &[])
            .await,
    ];
    let by_root = o
        .app
        .admin_post(
            &format!("/user/update/{}", theirs.id),
            &o.root,
            "",
            &user_form("改名", "x"),
        )
        .await;

    for body in &bodies {
        assert_illegal(body);
    }
    assert_answer(&by_root, 200, "修改成功");
    assert_eq!(
        o.app
            .scalar(
                "SELECT count(*) FROM radar_users WHERE username = '改名' AND status = 1",
                &[]
            )
            .await,
        1
    );
}

#[actix_web::test]
async fn an_admin_cannot_switch_its_own_card_but_may_switch_a_card_sharing_its_id() {
    let o = office().await;
    let me = o.app.seed_admin_as(o.a, 2, "me").await;
    let db = o.app.client().await;
    let mine: i64 = db
        .query_one(
            "INSERT INTO radar_users (username, login_user, company_id, token) VALUES ('我', 'me', $1, 't') RETURNING id",
            &[&o.a],
        )
        .await
        .unwrap()
        .get(0);
    db.execute(
        "INSERT INTO radar_users (id, username, login_user, company_id, token) VALUES ($1, '同号', 'other', $2, 't')",
        &[&me.id, &o.a],
    )
    .await
    .unwrap();

    let own = o
        .app
        .admin_post(
            &format!("/user/update_status/{mine}"),
            &me,
            "",
            &[("status", "1")],
        )
        .await;
    let same_id = o
        .app
        .admin_post(
            &format!("/user/update_status/{}", me.id),
            &me,
            "",
            &[("status", "1")],
        )
        .await;

    assert_answer(&own, 305, "不能修改自己");
    assert_answer(&same_id, 200, "修改成功");
}
