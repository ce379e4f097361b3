//! Admin accounts (spec §9.1): login, signatures, own password, admin list and creation.

use serde_json::json;

use super::{assert_answer, assert_illegal, field_error, office};
use crate::helpers::{Principal, TestApp};

async fn login(app: &TestApp, username: &str, password: &str) -> serde_json::Value {
    app.post_form(
        "/zhugeleida/admin/login",
        "",
        &[("username", username), ("password", password)],
    )
    .await
}

#[actix_web::test]
async fn an_admin_logs_in_with_role_and_company_and_the_legacy_hash_is_upgraded() {
    let o = office().await; // Arrange
    let boss = o.app.seed_admin_as(o.a, 1, "boss").await;

    let first = login(&o.app, "boss", TestApp::ADMIN_PASSWORD).await; // Act
    let second = login(&o.app, "boss", TestApp::ADMIN_PASSWORD).await;

    assert_answer(&first, 200, "登录成功"); // Assert
    let d = &first["data"];
    assert_eq!(d["token"], json!(boss.token));
    assert_eq!(d["user_id"], json!(boss.id));
    assert_eq!(d["company_id"], json!(o.a));
    assert_eq!(d["company_name"], "甲公司");
    assert_eq!(
        (d["role_id"].as_i64(), d["role_name"].as_str()),
        (Some(1), Some("超级管理员"))
    );
    assert_eq!(d["set_avatar"], "statics/imgs/setAvator.jpg");
    assert_eq!(d["avatar"], "statics/imgs/setAvator.jpg");
    assert_eq!(d["last_login_date"], "");
    assert_eq!(d["is_reset_password"], false);
    assert_eq!(
        (d["weChatQrCode"].as_str(), d["gzh_notice_qrcode"].as_str()),
        (Some(""), Some(""))
    );
    let previous = second["data"]["last_login_date"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(previous.len(), 19, "YYYY-MM-DD HH:MM:SS: {previous}");
    let stored: String = o
        .app
        .client()
        .await
        .query_one(
            "SELECT password FROM admin_users WHERE id = $1",
            &[&boss.id],
        )
        .await
        .unwrap()
        .get(0);
    assert!(stored.starts_with("$argon2"), "upgraded: {stored}");
}

#[actix_web::test]
async fn an_admin_without_a_token_gets_one_at_login() {
    let o = office().await;
    let boss = o.app.seed_admin_as(o.a, 2, "boss").await;
    o.app
        .client()
        .await
        .execute(
            "UPDATE admin_users SET token = '' WHERE id = $1",
            &[&boss.id],
        )
        .await
        .unwrap();

    let body = login(&o.app, "boss", TestApp::ADMIN_PASSWORD).await;

    let token = body["data"]["token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 32);
    let signed = Principal { id: boss.id, token };
    assert_eq!(o.app.admin_get("/company", &signed, "").await["code"], 200);
}

#[actix_web::test]
async fn wrong_passwords_unknown_names_and_disabled_admins_get_401() {
    let o = office().await;
    let off = o.app.seed_admin_as(o.a, 2, "off").await;
    o.app.seed_admin_as(o.a, 2, "on").await;
    o.app
        .client()
        .await
        .execute(
            "UPDATE admin_users SET status = 2 WHERE id = $1",
            &[&off.id],
        )
        .await
        .unwrap();

    let wrong = login(&o.app, "on", "Nope1234").await;
    let unknown = login(&o.app, "nobody", TestApp::ADMIN_PASSWORD).await;
    let disabled = login(&o.app, "off", TestApp::ADMIN_PASSWORD).await;

    for body in [wrong, unknown, disabled] {
        assert_answer(&body, 401, "账号或密码错误");
    }
    assert_answer(
        &o.app.admin_get("/company", &off, "").await,
        400,
        "token异常",
    );
}

#[actix_web::test]
async fn an_admin_of_an_expired_company_gets_403() {
    let o = office().await;
    o.app.seed_admin_as(o.b, 2, "late").await;
    o.app
        .client()
        .await
        .execute(
            "UPDATE companies SET account_expired_time = now() - interval '1 day' WHERE id = $1",
            &[&o.b],
        )
        .await
        .unwrap();

    let body = login(&o.app, "late", TestApp::ADMIN_PASSWORD).await;

    assert_answer(&body, 403, "账户过期");
}

#[actix_web::test]
async fn login_without_fields_is_a_402_request_error_and_get_is_the_wrong_method() {
    let o = office().await;

    let body = o
        .app
        .post_form("/zhugeleida/admin/login/", "", &[("username", "x")])
        .await;
    let (_, wrong_method) = o.app.get_raw("/zhugeleida/admin/login", "username=x").await;

    assert_answer(&body, 402, "请求异常");
    assert_eq!(body["data"]["password"][0]["code"], "required");
    let wrong: serde_json::Value = serde_json::from_str(&wrong_method).unwrap();
    assert_answer(&wrong, 402, "请求方式异常");
}

#[actix_web::test]
async fn bad_signatures_get_exactly_token_yichang() {
    let o = office().await;
    let forged = Principal {
        id: o.root.id,
        token: "not-the-token".into(),
    };
    let radar = o.app.seed_radar_user(o.a, "张三").await;

    let bodies = [
        o.app.admin_get("/company", &forged, "").await,
        o.app.get("/zhugeleida/admin/company", "").await,
        o.app.admin_get("/user", &radar, "").await,
        o.app.admin_post("/user/delete/1", &forged, "", &[]).await,
    ];

    for body in bodies {
        assert_eq!(
            body,
            json!({"code": 400, "msg": "token异常", "data": {}, "note": {}})
        );
    }
}

#[actix_web::test]
async fn modify_password_checks_both_entries_and_changes_only_the_callers_password() {
    let o = office().await;
    let me = o.app.seed_admin_as(o.a, 3, "me").await;
    let pw = |a: &'static str, b: &'static str| [("password1", a), ("password2", b)];

    let differ = o
        .app
        .admin_post("/modify_password", &me, "", &pw("Abcdefg1", "Abcdefg2"))
        .await;
    let simple = o
        .app
        .admin_post("/modify_password", &me, "", &pw("abcdefgh", "abcdefgh"))
        .await;
    let ok = o
        .app
        .admin_post("/modify_password", &me, "", &pw("Newpass99", "Newpass99"))
        .await;

    assert_eq!(differ["code"], 402);
    assert_eq!(
        field_error(&differ["msg"], "password2"),
        "两次密码输入不一致"
    );
    assert_eq!(
        field_error(&simple["msg"], "password2"),
        "密码复杂度检查未通过,请检查最小长度为八位,包含大小写字母和数字"
    );
    assert_answer(&ok, 200, "修改密码成功");
    let relog = login(&o.app, "me", "Newpass99").await;
    assert_answer(&relog, 200, "登录成功");
    assert_eq!(relog["data"]["is_reset_password"], true);
    assert_eq!(
        o.app
            .scalar(
                "SELECT count(*) FROM admin_users WHERE is_reset_password",
                &[]
            )
            .await,
        1
    );
}

#[actix_web::test]
async fn admins_create_admins_of_their_own_company_and_never_more_powerful_ones() {
    let o = office().await;
    let manager = o.app.seed_admin(o.a, 2).await;
    let form = |role: &'static str| {
        [
            ("login_user", "clerk"),
            ("password", "Clerk1234"),
            ("role_id", role),
            ("username", "小王"),
        ]
    };

    let created = o
        .app
        .admin_post("/admin_userprofile/add/0", &manager, "", &form("3"))
        .await;
    let duplicate = o
        .app
        .admin_post("/admin_userprofile/add/0", &manager, "", &form("3"))
        .await;
    let stronger = o
        .app
        .admin_post("/admin_userprofile/add/0", &manager, "", &form("1"))
        .await;
    let elsewhere = o
        .app
        .admin_post(
            "/admin_userprofile/add/0",
            &manager,
            &format!("company_id={}", o.b),
            &form("3"),
        )
        .await;
    let missing = o
        .app
        .admin_post(
            "/admin_userprofile/add/0",
            &manager,
            "",
            &[("role_id", "9")],
        )
        .await;
    let list = o.app.admin_get("/admin_userprofile", &manager, "").await;

    assert_answer(&created, 200, "添加成功");
    assert_eq!(duplicate["code"], 301);
    assert_eq!(field_error(&duplicate["msg"], "login_user"), "用户名已存在");
    assert_illegal(&stronger);
    assert_illegal(&elsewhere);
    assert_eq!(missing["code"], 301);
    assert_eq!(missing["msg"]["login_user"][0]["code"], "required");
    assert!(missing["msg"]["role_id"].is_array());
    assert_eq!(list["data"]["data_count"], 3);
    let clerk = login(&o.app, "clerk", "Clerk1234").await;
    assert_eq!(
        (
            clerk["data"]["role_name"].as_str(),
            clerk["data"]["company_id"].as_i64()
        ),
        (Some("普通成员"), Some(o.a))
    );
}

#[actix_web::test]
async fn a_super_admin_may_list_and_create_admins_of_another_company() {
    let o = office().await;
    let form = [
        ("login_user", "b-admin"),
        ("password", "Badmin123"),
        ("role_id", "2"),
    ];

    let created = o
        .app
        .admin_post(
            "/admin_userprofile/add/0",
            &o.root,
            &format!("company_id={}", o.b),
            &form,
        )
        .await;
    let list = o
        .app
        .admin_get(
            "/admin_userprofile",
            &o.root,
            &format!("company_id={}", o.b),
        )
        .await;

    assert_answer(&created, 200, "添加成功");
    assert_eq!(list["data"]["data_count"], 1);
    assert_eq!(list["data"]["ret_data"][0]["login_user"], "b-admin");
    assert_eq!(list["data"]["ret_data"][0]["company_name"], "乙公司");
}
