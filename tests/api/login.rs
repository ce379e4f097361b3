//! Login family M1–M4, test_login M24–M26 and radar login (spec §5.1, §5.6, §9.3).

use crate::helpers::{spawn_app, spawn_with, test_settings, TestApp};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LOGIN: &str = "/zhugeleida/xiaochengxu/login";

async fn wechat_answers(app: &TestApp, code: &str, body: serde_json::Value) {
    Mock::given(method("GET"))
        .and(path("/sns/jscode2session"))
        .and(query_param("js_code", code))
        .respond_with(ResponseTemplate::new(200).set_body_string(body.to_string()))
        .mount(&app.wechat)
        .await;
}

#[actix_web::test]
async fn a_first_login_creates_the_customer_and_a_repeated_code_gets_the_same_answer() {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    let radar = app.seed_radar_user(company, "张三").await;
    wechat_answers(
        &app,
        "c1",
        json!({"openid": "o-1", "session_key": "tiihtNczf5v6AKRyjwEUhQ==", "unionid": "u-1"}),
    )
    .await;
    let q = format!("code=c1&user_type=2&company_id={company}&user_version=1.0.0");
    let first = app.get(LOGIN, &q).await;
    assert_eq!(first["code"], 200);
    assert_eq!(first["msg"], "返回成功");
    assert_eq!(first["data"]["uid"], radar.id);
    assert_eq!(first["data"]["company_id"], company);
    assert_eq!(first["data"]["is_release_version_num"], true);
    assert_eq!(first["data"]["token"].as_str().unwrap().len(), 32);
    let again = app.get(LOGIN, &q).await;
    assert_eq!(again, first);
    let db = app.client().await;
    let row = db
        .query_one(
            "SELECT count(*), max(session_key), max(unionid) FROM customers",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 1);
    assert_eq!(
        row.get::<_, Option<String>>(1).as_deref(),
        Some("tiihtNczf5v6AKRyjwEUhQ==")
    );
    assert_eq!(row.get::<_, Option<String>>(2).as_deref(), Some("u-1"));
}

#[actix_web::test]
async fn a_live_login_asks_jscode2session_with_the_app_secret_and_no_access_token() {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    app.seed_radar_user(company, "张三").await;
    Mock::given(method("GET"))
        .and(path("/sns/jscode2session"))
        .and(query_param("appid", "wx4f4bc4dec97d474b"))
        .and(query_param(
            "secret",
            format!("secret-of-{company}").as_str(),
        ))
        .and(query_param("js_code", "live-1"))
        .and(query_param("grant_type", "authorization_code"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            json!({"openid": "o-live", "session_key": "tiihtNczf5v6AKRyjwEUhQ=="}).to_string(),
        ))
        .expect(1)
        .mount(&app.wechat)
        .await;

    let body = app
        .get(
            LOGIN,
            &format!("code=live-1&user_type=2&company_id={company}"),
        )
        .await;

    assert_eq!(body["code"], 200, "{body}");
    let requests = app.wechat.received_requests().await.unwrap_or_default();
    assert_eq!(
        requests.len(),
        1,
        "jscode2session only: it needs no access token"
    );
    assert_eq!(
        app.scalar("SELECT count(*) FROM wechat_access_tokens", &[])
            .await,
        0
    );
}

#[actix_web::test]
async fn a_later_login_reuses_the_token_and_refreshes_the_session_key() {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    app.seed_radar_user(company, "张三").await;
    wechat_answers(&app, "a", json!({"openid": "o-1", "session_key": "k1"})).await;
    wechat_answers(&app, "b", json!({"openid": "o-1", "session_key": "k2"})).await;
    let one = app
        .get(LOGIN, &format!("code=a&user_type=2&company_id={company}"))
        .await;
    let two = app
        .get(LOGIN, &format!("code=b&user_type=2&company_id={company}"))
        .await;
    assert_eq!(one["data"]["token"], two["data"]["token"]);
    assert_eq!(one["data"]["cid"], two["data"]["cid"]);
    let key: String = app
        .client()
        .await
        .query_one("SELECT session_key FROM customers", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(key, "k2");
}

#[actix_web::test]
async fn a_wechat_error_answers_login_failed_and_creates_nothing() {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    app.seed_radar_user(company, "张三").await;
    wechat_answers(
        &app,
        "bad",
        json!({"errcode": 40029, "errmsg": "invalid code"}),
    )
    .await;
    let body = app
        .get(LOGIN, &format!("code=bad&user_type=2&company_id={company}"))
        .await;
    assert_eq!(
        body,
        json!({"code": 301, "msg": "登录失败", "data": {}, "note": {}})
    );
    assert_eq!(app.scalar("SELECT count(*) FROM customers", &[]).await, 0);
}

#[actix_web::test]
async fn an_unreachable_wechat_answers_login_failed_not_a_500() {
    let wechat = MockServer::start().await;
    let mut settings = test_settings(&wechat).await;
    settings.wechat.api_base = "http://127.0.0.1:9".to_owned();
    let app = spawn_with(settings, wechat).await;
    let company = app.seed_company("甲公司").await;
    let body = app
        .get(LOGIN, &format!("code=x&user_type=2&company_id={company}"))
        .await;
    assert_eq!(body["code"], 301);
}

#[actix_web::test]
async fn login_without_uid_picks_the_least_busy_enabled_radar_user_or_the_latest_binding() {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    let busy = app.seed_radar_user(company, "忙").await;
    let idle = app.seed_radar_user(company, "闲").await;
    let other = app.seed_customer(company, Some("x")).await;
    app.seed_binding(busy.id, other.id).await;
    wechat_answers(&app, "c", json!({"openid": "o-9", "session_key": "k"})).await;
    let body = app
        .get(LOGIN, &format!("code=c&user_type=2&company_id={company}"))
        .await;
    assert_eq!(body["data"]["uid"], idle.id);
    // Once bound, the customer's own radar user wins.
    let cid = body["data"]["cid"].as_i64().unwrap();
    app.seed_binding(busy.id, cid).await;
    wechat_answers(&app, "d", json!({"openid": "o-9", "session_key": "k"})).await;
    let body = app
        .get(LOGIN, &format!("code=d&user_type=2&company_id={company}"))
        .await;
    assert_eq!(body["data"]["uid"], busy.id);
}

#[actix_web::test]
async fn login_validates_its_fields_and_method() {
    let app = spawn_app().await;
    let body = app.get(LOGIN, "user_type=2").await;
    assert_eq!(body["code"], 301);
    assert_eq!(body["msg"]["code"][0]["message"], "This field is required.");
    let body = app.get(LOGIN, "code=x&user_type=2&source=undefined").await;
    assert_eq!(body["msg"]["source"][0]["code"], "invalid");
    let body = app.post_form(LOGIN, "code=x&user_type=2", &[]).await;
    assert_eq!(body["code"], 402);
    let body = app.get(LOGIN, "code=x&user_type=2&company_id=424242").await;
    assert_eq!(body["code"], 302);
}

#[actix_web::test]
async fn a_defaulted_company_or_another_version_is_not_a_release() {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await; // the first company: id 1 = login.default_company_id
    app.seed_radar_user(company, "张三").await;
    wechat_answers(&app, "a", json!({"openid": "o-1", "session_key": "k"})).await;
    wechat_answers(&app, "b", json!({"openid": "o-1", "session_key": "k"})).await;
    let body = app.get(LOGIN, "code=a&user_type=2").await;
    assert_eq!(body["data"]["is_release_version_num"], false);
    let body = app
        .get(
            LOGIN,
            &format!("code=b&user_type=2&company_id={company}&user_version=0.9"),
        )
        .await;
    assert_eq!(body["data"]["is_release_version_num"], false);
}

const BINDING: &str = "/zhugeleida/xiaochengxu/login/binding";

#[actix_web::test]
async fn binding_creates_the_pair_and_the_greeting_once() {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    let other = app.seed_company("乙公司").await;
    let radar = app.seed_radar_user(company, "张三").await;
    let customer = app.seed_customer(other, Some("客户")).await;
    let body = app
        .get_signed(
            BINDING,
            &customer,
            &format!("uid={}&source=undefined&pid=", radar.id),
        )
        .await;
    assert_eq!(
        body,
        json!({"code": 200, "msg": "绑定关系成功", "data": {}, "note": {}})
    );
    let again = app
        .get_signed(BINDING, &customer, &format!("uid={}", radar.id))
        .await;
    assert_eq!(
        (again["code"].clone(), again["msg"].clone()),
        (json!(302), json!("关系存在"))
    );
    let db = app.client().await;
    let m = db
        .query_one(
            "SELECT send_type, content, is_customer_new_msg, is_user_new_msg FROM chat_message_state",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(m.get::<_, i16>(0), 1);
    assert_eq!(
        m.get::<_, serde_json::Value>(1),
        json!({"info_type": 1, "msg": "您好,我是甲公司的张三,欢迎进入我的名片,有什么可以帮到您的吗?您可以在这里和我及时沟通。"})
    );
    assert!(m.get::<_, bool>(2));
    assert!(!m.get::<_, bool>(3));
    assert_eq!(
        app.scalar(
            "SELECT company_id FROM customers WHERE id = $1",
            &[&customer.id]
        )
        .await,
        company
    );
    assert_eq!(
        app.scalar("SELECT count(*) FROM chat_messages", &[]).await,
        1
    );
    assert_eq!(
        app.scalar("SELECT source::bigint FROM customer_bindings", &[])
            .await,
        1
    );
}

#[actix_web::test]
async fn binding_respects_company_uniqueness_and_rejects_bad_input() {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    let a = app.seed_radar_user(company, "张三").await;
    let b = app.seed_radar_user(company, "李四").await;
    let customer = app.seed_customer(company, Some("客户")).await;
    app.client()
        .await
        .execute("UPDATE companies SET is_customer_unique = true", &[])
        .await
        .unwrap();
    assert_eq!(
        app.get_signed(BINDING, &customer, &format!("uid={}&source=2", a.id))
            .await["code"],
        200
    );
    let second = app
        .get_signed(BINDING, &customer, &format!("uid={}", b.id))
        .await;
    assert_eq!(second["msg"], "关系存在");
    let body = app.get_signed(BINDING, &customer, "uid=999999").await;
    assert_eq!(
        body,
        json!({"code": 301, "msg": "用户不存在", "data": {}, "note": {}})
    );
    let body = app.get_signed(BINDING, &customer, "uid=abc").await;
    assert_eq!(body["code"], 301);
    assert_eq!(body["msg"]["uid"][0]["message"], "Enter a whole number.");
    let body = app
        .get_signed(BINDING, &customer, &format!("uid={}&source=abc", b.id))
        .await;
    assert_eq!(body["code"], 301);
    assert_eq!(
        app.scalar("SELECT count(*) FROM customer_bindings", &[])
            .await,
        1
    );
}

const USER_INFO: &str = "/zhugeleida/xiaochengxu/login/send_user_info";

#[actix_web::test]
async fn send_user_info_stores_the_profile_and_logs_the_authorization() {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    let radar = app.seed_radar_user(company, "张三").await;
    let customer = app.seed_customer(company, None).await;
    let form = [
        ("nickName", "小明🐱"),
        ("avatarUrl", "https://wx.qlogo.cn/a.jpg"),
        ("gender", "1"),
        ("city", "Guangzhou"),
        ("page", "4"),
    ];
    let body = app
        .post_signed(USER_INFO, &customer, &format!("uid={}", radar.id), &form)
        .await;
    assert_eq!(
        body,
        json!({"code": 200, "msg": "保存成功", "data": {"ret_data": "小明🐱 已向您授权登录页面"}, "note": {}})
    );
    // Twice: the profile row is upserted, not duplicated.
    app.post_signed(USER_INFO, &customer, &format!("uid={}", radar.id), &form)
        .await;
    let db = app.client().await;
    let row = db
        .query_one(
            "SELECT username, headimgurl, city FROM customers WHERE id = $1",
            &[&customer.id],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "小明🐱");
    assert_eq!(row.get::<_, String>(1), "https://wx.qlogo.cn/a.jpg");
    assert_eq!(
        app.scalar("SELECT count(*) FROM customer_profiles", &[])
            .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT sex::bigint FROM customer_profiles", &[])
            .await,
        1
    );
    let remark: String = db
        .query_one(
            "SELECT remark FROM action_logs WHERE action = 13 LIMIT 1",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(remark, "已向您授权访问【公司官网】页面");
}

#[actix_web::test]
async fn send_user_info_without_a_nickname_is_a_301() {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    let customer = app.seed_customer(company, None).await;
    let body = app
        .post_signed(USER_INFO, &customer, "", &[("city", "x")])
        .await;
    assert_eq!(body["code"], 301);
    assert_eq!(
        body["msg"]["nickName"][0]["message"],
        "This field is required."
    );
    assert_eq!(
        app.post_form(USER_INFO, "", &[("nickName", "x")]).await["code"],
        400
    );
}

const FORM_ID: &str = "/zhugeleida/xiaochengxu/login/send_form_id";

#[actix_web::test]
async fn form_ids_are_stored_once_and_mock_ones_refused() {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    let customer = app.seed_customer(company, None).await;
    let ok = app
        .post_signed(FORM_ID, &customer, "", &[("formId", "f-123")])
        .await;
    assert_eq!(
        ok,
        json!({"code": 200, "msg": "保存成功", "data": {}, "note": {}})
    );
    app.post_signed(FORM_ID, &customer, "", &[("formId", "f-123")])
        .await;
    assert_eq!(
        app.scalar("SELECT count(*) FROM customer_form_ids", &[])
            .await,
        1
    );
    for bad in ["the formId is a mock one", ""] {
        let body = app
            .post_signed(FORM_ID, &customer, "", &[("formId", bad)])
            .await;
        assert_eq!(
            body,
            json!({"code": 301, "msg": "formID 不规矩", "data": {}, "note": {}})
        );
    }
}

#[actix_web::test]
async fn a_customer_keeps_only_the_newest_fifty_form_ids() {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    let customer = app.seed_customer(company, None).await;
    let other = app.seed_customer(company, None).await;
    app.post_signed(FORM_ID, &other, "", &[("formId", "other-1")])
        .await;
    for i in 0..60 {
        let body = app
            .post_signed(FORM_ID, &customer, "", &[("formId", &format!("f-{i}"))])
            .await;
        assert_eq!(body["code"], 200, "{body}");
    }
    let kept = |sql: &'static str| app.scalar(sql, &[]);
    assert_eq!(
        kept("SELECT count(*) FROM customer_form_ids WHERE form_id LIKE 'f-%'").await,
        50
    );
    // The oldest went, the newest stayed, and another customer's formIds were untouched.
    assert_eq!(
        kept("SELECT count(*) FROM customer_form_ids WHERE form_id IN ('f-0', 'f-9')").await,
        0
    );
    assert_eq!(
        kept("SELECT count(*) FROM customer_form_ids WHERE form_id IN ('f-10', 'f-59', 'other-1')")
            .await,
        3
    );
}

#[actix_web::test]
async fn test_login_is_not_served_unless_test_mode_is_on() {
    let app = spawn_app().await;
    let (status, _) = app
        .get_raw("/zhugeleida/xiaochengxu/test_login", "code=x")
        .await;
    assert_eq!(status, 404);

    let wechat = MockServer::start().await;
    let mut settings = test_settings(&wechat).await;
    settings.login.test_mode = true;
    settings.login.test_appid = "wx-test".to_owned();
    let app = spawn_with(settings, wechat).await;
    app.seed_company("甲公司").await;
    Mock::given(path("/sns/jscode2session"))
        .and(query_param("appid", "wx-test"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(r#"{"openid":"t-1","session_key":"k"}"#),
        )
        .mount(&app.wechat)
        .await;
    let body = app
        .get("/zhugeleida/xiaochengxu/test_login", "code=t")
        .await;
    assert_eq!(body["msg"], "返回成功");
    let cid = body["data"]["cid"].as_i64().unwrap();
    let q = format!("user_id={cid}");
    let body = app
        .post_form(
            "/zhugeleida/xiaochengxu/test_login/send_form_id",
            &q,
            &[("formId", "the formId is a mock one")],
        )
        .await;
    assert_eq!(body["msg"], "formID 不规矩");
    let body = app
        .post_form(
            "/zhugeleida/xiaochengxu/test_login/send_user_info",
            &q,
            &[("nickName", "T")],
        )
        .await;
    assert_eq!(body["msg"], "保存成功");
    let body = app
        .post_form(
            "/zhugeleida/xiaochengxu/test_login/send_user_info",
            "user_id=999999",
            &[("nickName", "T")],
        )
        .await;
    assert_eq!(
        body,
        json!({"code": 301, "msg": "用户不存在", "data": {}, "note": {}})
    );
}

#[actix_web::test]
async fn radar_users_log_in_with_their_password() {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    let radar = app.seed_radar_user(company, "张三").await;
    let hash = radar::password::hash("Passw0rd!").unwrap();
    let db = app.client().await;
    db.execute(
        "UPDATE radar_users SET password = $1 WHERE id = $2",
        &[&hash, &radar.id],
    )
    .await
    .unwrap();
    let login_user = format!("张三-{company}");
    let path = "/zhugeleida/qiyeweixin/login";
    let ok = app
        .post_form(
            path,
            "",
            &[("login_user", &login_user), ("password", "Passw0rd!")],
        )
        .await;
    assert_eq!(ok["msg"], "登录成功");
    assert_eq!(ok["data"]["token"], radar.token);
    assert_eq!(ok["data"]["is_first_login"], true);
    let again = app
        .post_form(
            path,
            "",
            &[("login_user", &login_user), ("password", "Passw0rd!")],
        )
        .await;
    assert_eq!(again["data"]["is_first_login"], false);
    let wrong = app
        .post_form(
            path,
            "",
            &[("login_user", &login_user), ("password", "nope")],
        )
        .await;
    assert_eq!(
        wrong,
        json!({"code": 401, "msg": "账号或密码错误", "data": {}, "note": {}})
    );
    db.execute(
        "UPDATE companies SET account_expired_time = now() - interval '1 day'",
        &[],
    )
    .await
    .unwrap();
    let expired = app
        .post_form(
            path,
            "",
            &[("login_user", &login_user), ("password", "Passw0rd!")],
        )
        .await;
    assert_eq!(expired["code"], 403);
    db.execute("UPDATE radar_users SET status = 2", &[])
        .await
        .unwrap();
    let disabled = app
        .post_form(
            path,
            "",
            &[("login_user", &login_user), ("password", "Passw0rd!")],
        )
        .await;
    assert_eq!(disabled["code"], 401);
}

#[actix_web::test]
async fn a_wechat_avatar_is_rehosted_and_served_under_statics() {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    let customer = app.seed_customer(company, Some("小明")).await;
    let png = b"\x89PNG\r\n\x1a\nfake-image-bytes".to_vec();
    Mock::given(path("/avatar/132"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(png.clone()))
        .mount(&app.wechat)
        .await;
    let remote = format!("{}/avatar/132", app.wechat.uri());
    app.client()
        .await
        .execute("UPDATE customers SET headimgurl = $1", &[&remote])
        .await
        .unwrap();
    // The production fetcher, aimed at the fake server (`rehost` would refuse its loopback URL).
    let fetcher = radar::avatar::fetcher().unwrap();
    let relative = radar::avatar::copy_from(
        &app.state.avatars,
        &fetcher,
        customer.id,
        &remote,
        remote.parse().unwrap(),
    )
    .await
    .unwrap();
    assert!(relative.starts_with("statics/zhugeleida/imgs/xiaochengxu/user_photo/xcx_cid_"));
    let stored: String = app
        .client()
        .await
        .query_one("SELECT headimgurl FROM customers", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, relative);
    let served = app
        .http
        .get(format!("{}/{relative}", app.address))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(served.to_vec(), png);
}

#[actix_web::test]
async fn a_non_image_avatar_is_not_rehosted() {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    let customer = app.seed_customer(company, Some("小明")).await;
    Mock::given(path("/page"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>"))
        .mount(&app.wechat)
        .await;
    let remote = format!("{}/page", app.wechat.uri());
    let fetcher = radar::avatar::fetcher().unwrap();
    assert!(radar::avatar::copy_from(
        &app.state.avatars,
        &fetcher,
        customer.id,
        &remote,
        remote.parse().unwrap()
    )
    .await
    .is_err());
}
