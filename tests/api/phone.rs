//! M7: the encrypted phone number (spec §5.2 M7, §8), with WeChat's official and our own vectors.

use crate::chat::pair;
use crate::helpers::{spawn_app, Principal, TestApp};
use crate::ws_client::signed;
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

const PATH: &str = "/zhugeleida/xiaochengxu/chat/encrypted_phone_number/0";
const PHONE_KEY: &str = "cmFkYXItdGVzdC1rZXktMQ==";
const PHONE_IV: &str = "cmFkYXItdGVzdC1pdi0wMQ==";
const PHONE_DATA: &str = "4Yf/uasPx0ZbU9f9QpjEalWReAnysoZNhhaQCwh8I1r0MY86eYNfaR52hbPQJh4siw05sY9GzjLtLsHWtN3wr6t6rNX5TwSUj/S/MtUj5BBMfWx5DpOZ78l41+P5n23HKPG81czkaLt8N+FYmFW2uLdFf5JmzSPAJGZpJEtApHuSFpp1xpNFApq8RQvFdIys9XjheSMAZVbxxDgQhXUfsw==";
const SAMPLE_KEY: &str = "tiihtNczf5v6AKRyjwEUhQ==";
const SAMPLE_IV: &str = "r7BXXKkLb8qrSNn05n0qiA==";
const SAMPLE_DATA: &str = "CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew==";

async fn set_session_key(app: &TestApp, customer: &Principal, key: &str) {
    app.client()
        .await
        .execute(
            "UPDATE customers SET session_key = $1 WHERE id = $2",
            &[&key, &customer.id],
        )
        .await
        .unwrap();
}

async fn post(
    app: &TestApp,
    customer: &Principal,
    radar: &Principal,
    iv: &str,
    data: &str,
    extra: &str,
) -> serde_json::Value {
    let uid = radar.id.to_string();
    app.post_signed(
        PATH,
        customer,
        extra,
        &[("u_id", &uid), ("encryptedData", data), ("iv", iv)],
    )
    .await
}

#[actix_web::test]
async fn a_phone_number_is_decrypted_stored_and_echoed_into_the_chat() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    set_session_key(&app, &customer, PHONE_KEY).await;
    let mut ws = app
        .connect_ws("/zhugeleida/xiaochengxu/websocket/xiaochengxu_chat")
        .await;
    ws.send(signed(
        &customer,
        json!({"type": "query_num", "u_id": radar.id}),
    ))
    .await;
    ws.next().await;
    let body = post(&app, &customer, &radar, PHONE_IV, PHONE_DATA, "").await;
    assert_eq!(
        body,
        json!({"code": 200, "msg": "获取成功", "data": {"phoneNumber": "13800138000"}, "note": {}})
    );
    let phone: String = app
        .client()
        .await
        .query_one("SELECT phone FROM customers WHERE id = $1", &[&customer.id])
        .await
        .unwrap()
        .get(0);
    assert_eq!(phone, "13800138000");
    let push = ws.next().await;
    assert_eq!(
        push["data"]["ret_data"][0]["msg"],
        "我的手机号是: 13800138000"
    );
    assert_eq!(push["data"]["ret_data"][0]["send_type"], 2);
    // A second time: stored again, but no second echo (the pair has more than one message now).
    let uid = radar.id.to_string();
    app.post_signed(
        "/zhugeleida/xiaochengxu/chat/send_msg/0",
        &customer,
        "",
        &[
            ("u_id", &uid),
            ("content", r#"{"info_type":1,"msg":"x"}"#),
            ("send_type", "2"),
        ],
    )
    .await;
    post(&app, &customer, &radar, PHONE_IV, PHONE_DATA, "").await;
    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM chat_messages WHERE content->>'msg' LIKE '我的手机号是%'",
            &[]
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn shopping_mode_only_decrypts() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    set_session_key(&app, &customer, PHONE_KEY).await;
    let body = post(
        &app,
        &customer,
        &radar,
        PHONE_IV,
        PHONE_DATA,
        "type=shopping",
    )
    .await;
    assert_eq!(body["data"]["phoneNumber"], "13800138000");
    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM customers WHERE phone IS NOT NULL",
            &[]
        )
        .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT count(*) FROM chat_messages", &[]).await,
        0
    );
}

#[actix_web::test]
async fn the_official_sample_decrypts_but_holds_no_phone() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    set_session_key(&app, &customer, SAMPLE_KEY).await;
    let body = post(&app, &customer, &radar, SAMPLE_IV, SAMPLE_DATA, "").await;
    assert_eq!(
        body,
        json!({"code": 200, "msg": "获取失败", "data": {}, "note": {}})
    );
}

#[actix_web::test]
async fn every_decryption_failure_answers_250() {
    let app = spawn_app().await;
    let (company, radar, customer) = pair(&app).await;
    let failed = json!({"code": 250, "msg": "解密报错", "data": {}, "note": {}});
    set_session_key(&app, &customer, SAMPLE_KEY).await; // wrong key for the phone vector
    assert_eq!(
        post(&app, &customer, &radar, PHONE_IV, PHONE_DATA, "").await,
        failed
    );
    set_session_key(&app, &customer, PHONE_KEY).await;
    assert_eq!(
        post(&app, &customer, &radar, PHONE_IV, "not*base64!", "").await,
        failed
    );
    assert_eq!(
        post(&app, &customer, &radar, "c2hvcnQ=", PHONE_DATA, "").await,
        failed
    );
    app.client()
        .await
        .execute(
            "UPDATE mini_program_apps SET authorization_appid = 'wx-another' WHERE company_id = $1",
            &[&company],
        )
        .await
        .unwrap();
    assert_eq!(
        post(&app, &customer, &radar, PHONE_IV, PHONE_DATA, "").await,
        failed
    );
    app.client()
        .await
        .execute("UPDATE customers SET session_key = NULL", &[])
        .await
        .unwrap();
    assert_eq!(
        post(&app, &customer, &radar, PHONE_IV, PHONE_DATA, "").await,
        failed
    );
    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM customers WHERE phone IS NOT NULL",
            &[]
        )
        .await,
        0
    );
}

#[actix_web::test]
async fn missing_fields_are_301_and_an_unknown_radar_user_is_302() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let uid = radar.id.to_string();
    let body = app
        .post_signed(PATH, &customer, "", &[("u_id", &uid), ("iv", PHONE_IV)])
        .await;
    assert_eq!(body["code"], 301);
    assert_eq!(
        body["msg"]["encryptedData"][0]["message"],
        "This field is required."
    );
    let body = app
        .post_signed(
            PATH,
            &customer,
            "",
            &[
                ("u_id", "999999"),
                ("iv", PHONE_IV),
                ("encryptedData", PHONE_DATA),
            ],
        )
        .await;
    assert_eq!(body["code"], 302);
}

// --- Phone number by code (issue 13): today's getPhoneNumber button -------------------------

const BY_CODE: &str = "/zhugeleida/xiaochengxu/chat/phone_number_by_code/0";

/// WeChat's token answer, and its phone answer for `code`.
async fn mount_phone(app: &TestApp, code: &str, answer: serde_json::Value) {
    app.mount_access_token("tok").await;
    Mock::given(method("POST"))
        .and(path("/wxa/business/getuserphonenumber"))
        .and(query_param("access_token", "tok"))
        .and(body_json(json!({ "code": code })))
        .respond_with(ResponseTemplate::new(200).set_body_string(answer.to_string()))
        .expect(1)
        .mount(&app.wechat)
        .await;
}

fn phone_info(number: &str) -> serde_json::Value {
    json!({"errcode": 0, "errmsg": "ok", "phone_info": {
        "phoneNumber": number, "purePhoneNumber": number, "countryCode": "86",
        "watermark": {"timestamp": 1700000000, "appid": "wx4f4bc4dec97d474b"}}})
}

async fn post_code(
    app: &TestApp,
    customer: &Principal,
    radar: &Principal,
    code: &str,
) -> serde_json::Value {
    let uid = radar.id.to_string();
    app.post_signed(BY_CODE, customer, "", &[("u_id", &uid), ("code", code)])
        .await
}

#[actix_web::test]
async fn a_phone_number_by_code_is_stored_and_echoed_like_m7() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    mount_phone(&app, "code-1", phone_info("13800138000")).await;

    let body = post_code(&app, &customer, &radar, "code-1").await;

    assert_eq!(
        body,
        json!({"code": 200, "msg": "获取成功", "data": {"phoneNumber": "13800138000"}, "note": {}})
    );
    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM customers WHERE phone = '13800138000'",
            &[]
        )
        .await,
        1
    );
    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM chat_messages
             WHERE content->>'msg' = '我的手机号是: 13800138000' AND send_type = 2",
            &[]
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn a_code_wechat_refuses_answers_250_and_stores_nothing() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    mount_phone(
        &app,
        "used",
        json!({"errcode": 40029, "errmsg": "invalid code"}),
    )
    .await;

    let body = post_code(&app, &customer, &radar, "used").await;

    assert_eq!(
        body,
        json!({"code": 250, "msg": "获取手机号失败", "data": {}, "note": {}})
    );
    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM customers WHERE phone IS NOT NULL",
            &[]
        )
        .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT count(*) FROM chat_messages", &[]).await,
        0
    );
}

#[actix_web::test]
async fn an_answer_without_a_number_is_get_failed_and_an_absurd_one_is_250() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    mount_phone(&app, "empty", json!({"errcode": 0, "phone_info": {}})).await;
    mount_phone(&app, "long", phone_info(&"1".repeat(21))).await;

    let empty = post_code(&app, &customer, &radar, "empty").await;
    let long = post_code(&app, &customer, &radar, "long").await;

    assert_eq!(
        empty,
        json!({"code": 200, "msg": "获取失败", "data": {}, "note": {}})
    );
    assert_eq!(long["code"], 250);
    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM customers WHERE phone IS NOT NULL",
            &[]
        )
        .await,
        0
    );
}

#[actix_web::test]
async fn phone_by_code_checks_its_form_and_the_app_credentials() {
    let app = spawn_app().await;
    let (company, radar, customer) = pair(&app).await;
    let uid = radar.id.to_string();

    let missing = app
        .post_signed(BY_CODE, &customer, "", &[("u_id", &uid)])
        .await;
    let long_code = "c".repeat(257);
    let too_long = post_code(&app, &customer, &radar, &long_code).await;
    let unknown = app
        .post_signed(BY_CODE, &customer, "", &[("u_id", "999999"), ("code", "c")])
        .await;
    app.client()
        .await
        .execute(
            "UPDATE mini_program_apps SET app_secret = NULL WHERE company_id = $1",
            &[&company],
        )
        .await
        .unwrap();
    let no_secret = post_code(&app, &customer, &radar, "c").await;

    assert_eq!(missing["code"], 301);
    assert_eq!(
        missing["msg"]["code"][0]["message"],
        "This field is required."
    );
    assert_eq!(too_long["code"], 301);
    assert_eq!(unknown["code"], 302);
    assert_eq!(no_secret["code"], 250);
    assert!(app
        .wechat
        .received_requests()
        .await
        .unwrap_or_default()
        .is_empty());
}

#[actix_web::test]
async fn shopping_mode_by_code_only_answers_the_number() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    mount_phone(&app, "code-s", phone_info("13800138000")).await;
    let uid = radar.id.to_string();

    let body = app
        .post_signed(
            BY_CODE,
            &customer,
            "type=shopping",
            &[("u_id", &uid), ("code", "code-s")],
        )
        .await;

    assert_eq!(body["data"]["phoneNumber"], "13800138000");
    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM customers WHERE phone IS NOT NULL",
            &[]
        )
        .await,
        0
    );
}
