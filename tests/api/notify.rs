//! Offline notifications (spec §6.5): sent once per interval for a radar message that stays
//! unread, with the newest formId (legacy) or one subscribe grant (issue 13), which is then used
//! up; grants recorded by the customer, WeChat's refusals handled without retries.

use std::time::Duration;

use crate::chat::pair;
use crate::helpers::{spawn_with, test_settings, Principal, TestApp};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn app(delay_secs: u64) -> TestApp {
    let wechat = MockServer::start().await;
    let mut settings = test_settings(&wechat).await;
    settings.template_message.enabled = true;
    settings.template_message.delay_secs = delay_secs;
    let app = spawn_with(settings, wechat).await;
    app.mount_access_token("tok").await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/message/wxopen/template/send"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"errcode":0,"errmsg":"ok"}"#))
        .mount(&app.wechat)
        .await;
    app
}

async fn prepare(app: &TestApp) -> (Principal, Principal) {
    let (company, radar, customer) = pair(app).await;
    app.client()
        .await
        .execute(
            "UPDATE mini_program_apps SET template_id = 'tpl-1' WHERE company_id = $1",
            &[&company],
        )
        .await
        .unwrap();
    for form_id in ["older", "newest"] {
        app.post_signed(
            "/zhugeleida/xiaochengxu/login/send_form_id",
            &customer,
            "",
            &[("formId", form_id)],
        )
        .await;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    (radar, customer)
}

async fn radar_says(app: &TestApp, radar: &Principal, customer: &Principal) {
    let cid = customer.id.to_string();
    let body = app
        .post_signed(
            "/zhugeleida/qiyeweixin/chat/send_msg/0",
            radar,
            "",
            &[
                ("customer_id", &cid),
                ("content", r#"{"info_type":1,"msg":"在吗"}"#),
                ("send_type", "1"),
            ],
        )
        .await;
    assert_eq!(body["code"], 200);
}

async fn template_sends(app: &TestApp) -> Vec<serde_json::Value> {
    let requests = app.wechat.received_requests().await.unwrap_or_default();
    requests
        .iter()
        .filter(|r| r.url.path() == "/cgi-bin/message/wxopen/template/send")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[actix_web::test]
async fn an_unread_radar_message_notifies_the_customer_once_with_the_newest_form_id() {
    let app = app(0).await;
    let (radar, customer) = prepare(&app).await;
    radar_says(&app, &radar, &customer).await;
    let mut sends = vec![];
    for _ in 0..50 {
        sends = template_sends(&app).await;
        if !sends.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(sends.len(), 1);
    let sent = &sends[0];
    assert_eq!(sent["template_id"], "tpl-1");
    assert_eq!(sent["form_id"], "newest");
    assert_eq!(
        sent["page"],
        format!(
            "pages/mingpian/msg?source=template_msg&uid={}&pid=",
            radar.id
        )
    );
    assert_eq!(sent["data"]["keyword1"], json!({"value": "张三"}));
    assert_eq!(
        sent["data"]["keyword3"],
        json!({"value": "您有未读消息,点击小程序查看哦"})
    );
    // A second message inside the interval sends nothing more; the used formId stays used.
    radar_says(&app, &radar, &customer).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(template_sends(&app).await.len(), 1);
    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM customer_form_ids WHERE used_at IS NOT NULL",
            &[]
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn a_message_read_before_the_delay_sends_nothing() {
    let app = app(1).await;
    let (radar, customer) = prepare(&app).await;
    radar_says(&app, &radar, &customer).await;
    app.get_signed(
        "/zhugeleida/xiaochengxu/chat/getmsg/0",
        &customer,
        &format!("u_id={}", radar.id),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert!(template_sends(&app).await.is_empty());
}

/// One check per pair waits at a time (a busy conversation costs one timer, not one per
/// message); when the message it waited for was read, it waits for the next unread one instead.
#[actix_web::test]
async fn a_message_sent_while_a_check_waits_is_notified_once_when_due() {
    let app = app(1).await;
    let (radar, customer) = prepare(&app).await;
    radar_says(&app, &radar, &customer).await;
    app.get_signed(
        "/zhugeleida/xiaochengxu/chat/getmsg/0",
        &customer,
        &format!("u_id={}", radar.id),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    radar_says(&app, &radar, &customer).await;
    radar_says(&app, &radar, &customer).await;
    // The first check (due at 1 s) finds the first message read and waits for the second.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(template_sends(&app).await.is_empty(), "not due yet");
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(template_sends(&app).await.len(), 1);
}

// --- Subscribe messages (issue 13) ----------------------------------------------------------

const GRANT: &str = "/zhugeleida/xiaochengxu/subscribe/grant/0";
const SUBSCRIBE_SEND: &str = "/cgi-bin/message/subscribe/send";

/// A node with subscribe messages on (formIds off) and WeChat answering `send_answer`.
async fn subscribe_app(settings_of: Option<&TestApp>, send_answer: &str) -> TestApp {
    let wechat = MockServer::start().await;
    let mut settings = match settings_of {
        Some(other) => other.settings.clone(),
        None => test_settings(&wechat).await,
    };
    settings.template_message.enabled = false;
    settings.template_message.subscribe_enabled = true;
    settings.template_message.delay_secs = 0;
    let app = spawn_with(settings, wechat).await;
    if settings_of.is_none() {
        app.mount_access_token("tok").await;
        Mock::given(method("POST"))
            .and(path(SUBSCRIBE_SEND))
            .respond_with(ResponseTemplate::new(200).set_body_string(send_answer.to_owned()))
            .mount(&app.wechat)
            .await;
    }
    app
}

/// The pair, the company's subscribe template `sub-1`, and `grants` accepted by the customer.
async fn subscribed(app: &TestApp, grants: usize) -> (i64, Principal, Principal) {
    let (company, radar, customer) = pair(app).await;
    app.client()
        .await
        .execute(
            "UPDATE mini_program_apps SET subscribe_template_id = 'sub-1' WHERE company_id = $1",
            &[&company],
        )
        .await
        .unwrap();
    for _ in 0..grants {
        let body = app
            .post_signed(GRANT, &customer, "", &[("template_id", "sub-1")])
            .await;
        assert_eq!(body["code"], 200, "{body}");
    }
    (company, radar, customer)
}

async fn subscribe_sends(app: &TestApp) -> Vec<serde_json::Value> {
    let requests = app.wechat.received_requests().await.unwrap_or_default();
    requests
        .iter()
        .filter(|r| r.url.path() == SUBSCRIBE_SEND)
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

async fn wait_for_sends(app: &TestApp, n: usize) -> Vec<serde_json::Value> {
    let mut sends = vec![];
    for _ in 0..50 {
        sends = subscribe_sends(app).await;
        if sends.len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    sends
}

async fn grants(app: &TestApp, sql_where: &str) -> i64 {
    app.scalar(
        &format!("SELECT count(*) FROM customer_subscribe_grants WHERE {sql_where}"),
        &[],
    )
    .await
}

#[actix_web::test]
async fn a_grant_is_recorded_and_answered_with_the_unused_count() {
    let app = subscribe_app(None, r#"{"errcode":0}"#).await;
    let (_company, _radar, customer) = subscribed(&app, 1).await;

    let body = app
        .post_signed(
            GRANT,
            &customer,
            "",
            &[("template_id", "sub-1"), ("status", "accept")],
        )
        .await;

    assert_eq!(
        body,
        json!({"code": 200, "msg": "订阅成功", "data": {"template_id": "sub-1", "grants": 2}, "note": {}})
    );
    let rejected = app
        .post_signed(
            GRANT,
            &customer,
            "",
            &[("template_id", "sub-1"), ("status", "reject")],
        )
        .await;
    assert_eq!(rejected["msg"], "未订阅");
    assert_eq!(rejected["data"]["grants"], 2);
    // Switched off in the settings: WeChat would refuse every send, so the grants go.
    let banned = app
        .post_signed(
            GRANT,
            &customer,
            "",
            &[("template_id", "sub-1"), ("status", "ban")],
        )
        .await;
    assert_eq!(banned["data"]["grants"], 0);
    assert_eq!(grants(&app, "errcode = 43101").await, 2);
}

async fn post_grant(
    app: &TestApp,
    customer: &Principal,
    form: &[(&str, &str)],
) -> serde_json::Value {
    app.post_signed(GRANT, customer, "", form).await
}

#[actix_web::test]
async fn grant_input_is_checked_against_the_company_template() {
    let app = subscribe_app(None, r#"{"errcode":0}"#).await;
    let (company, _radar, customer) = subscribed(&app, 0).await;
    let long = "x".repeat(129);

    let missing = post_grant(&app, &customer, &[]).await;
    let other = post_grant(&app, &customer, &[("template_id", "sub-2")]).await;
    let bad_status = post_grant(
        &app,
        &customer,
        &[("template_id", "sub-1"), ("status", "yes")],
    )
    .await;
    let too_long = post_grant(&app, &customer, &[("template_id", &long)]).await;
    let unsigned = app.post_form(GRANT, "", &[("template_id", "sub-1")]).await;

    assert_eq!(missing["code"], 301);
    assert_eq!(missing["msg"]["template_id"][0]["code"], "required");
    assert_eq!(
        other,
        json!({"code": 301, "msg": "模板ID不匹配", "data": {}, "note": {}})
    );
    assert_eq!(bad_status["code"], 301);
    assert_eq!(too_long["code"], 301);
    assert_ne!(unsigned["code"], 200);
    app.client()
        .await
        .execute(
            "UPDATE mini_program_apps SET subscribe_template_id = NULL WHERE company_id = $1",
            &[&company],
        )
        .await
        .unwrap();
    let unconfigured = post_grant(&app, &customer, &[("template_id", "sub-1")]).await;
    assert_eq!(unconfigured["msg"], "未配置订阅消息模板");
    assert_eq!(grants(&app, "true").await, 0);
}

#[actix_web::test]
async fn grants_beyond_fifty_are_not_stored() {
    let app = subscribe_app(None, r#"{"errcode":0}"#).await;
    let (_company, _radar, customer) = subscribed(&app, 0).await;
    app.client()
        .await
        .execute(
            "INSERT INTO customer_subscribe_grants (customer_id, template_id)
             SELECT $1, 'sub-1' FROM generate_series(1, 50)",
            &[&customer.id],
        )
        .await
        .unwrap();

    let body = app
        .post_signed(GRANT, &customer, "", &[("template_id", "sub-1")])
        .await;

    assert_eq!(body["data"]["grants"], 50);
}

#[actix_web::test]
async fn an_unread_radar_message_uses_one_subscribe_grant() {
    let app = subscribe_app(None, r#"{"errcode":0,"errmsg":"ok"}"#).await;
    let (_company, radar, customer) = subscribed(&app, 2).await;

    radar_says(&app, &radar, &customer).await;
    let sends = wait_for_sends(&app, 1).await;

    assert_eq!(sends.len(), 1);
    let sent = &sends[0];
    assert_eq!(sent["template_id"], "sub-1");
    assert!(sent["touser"].as_str().unwrap().starts_with("openid-"));
    assert_eq!(
        sent["page"],
        format!(
            "pages/mingpian/msg?source=template_msg&uid={}&pid=",
            radar.id
        )
    );
    assert_eq!(sent["data"]["thing1"], json!({"value": "张三"}));
    assert_eq!(
        sent["data"]["thing3"],
        json!({"value": "您有未读消息,点击小程序查看哦"})
    );
    assert_eq!(sent["data"]["time2"]["value"].as_str().unwrap().len(), 16);
    assert!(sent.get("form_id").is_none());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(grants(&app, "used_at IS NOT NULL AND errcode = 0").await, 1);
    assert_eq!(grants(&app, "used_at IS NULL").await, 1);
    // Inside the interval: nothing more, the other grant stays.
    radar_says(&app, &radar, &customer).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(subscribe_sends(&app).await.len(), 1);
    assert_eq!(grants(&app, "used_at IS NULL").await, 1);
}

#[actix_web::test]
async fn a_company_field_mapping_shapes_the_data() {
    let app = subscribe_app(None, r#"{"errcode":0}"#).await;
    let (company, radar, customer) = subscribed(&app, 1).await;
    app.client()
        .await
        .execute(
            r#"UPDATE mini_program_apps SET subscribe_fields = '{"name1":"sender","phrase2":"新消息"}'
               WHERE company_id = $1"#,
            &[&company],
        )
        .await
        .unwrap();

    radar_says(&app, &radar, &customer).await;
    let sends = wait_for_sends(&app, 1).await;

    assert_eq!(
        sends[0]["data"],
        json!({"name1": {"value": "张三"}, "phrase2": {"value": "新消息"}})
    );
}

#[actix_web::test]
async fn no_grant_left_at_wechat_invalidates_the_grants_without_a_retry() {
    let app = subscribe_app(
        None,
        r#"{"errcode":43101,"errmsg":"user refuse to accept the msg"}"#,
    )
    .await;
    let (_company, radar, customer) = subscribed(&app, 3).await;

    radar_says(&app, &radar, &customer).await;
    wait_for_sends(&app, 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    assert_eq!(subscribe_sends(&app).await.len(), 1);
    assert_eq!(grants(&app, "used_at IS NULL").await, 0);
    assert_eq!(grants(&app, "errcode = 43101").await, 3);
}

#[actix_web::test]
async fn bad_data_uses_the_grant_once_and_does_not_retry() {
    let app = subscribe_app(
        None,
        r#"{"errcode":47003,"errmsg":"argument invalid! data.thing1.value"}"#,
    )
    .await;
    let (_company, radar, customer) = subscribed(&app, 2).await;

    radar_says(&app, &radar, &customer).await;
    wait_for_sends(&app, 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    assert_eq!(subscribe_sends(&app).await.len(), 1);
    assert_eq!(grants(&app, "errcode = 47003").await, 1);
    assert_eq!(grants(&app, "used_at IS NULL").await, 1);
}

#[actix_web::test]
async fn two_nodes_notify_a_pair_once_per_interval() {
    let a = subscribe_app(None, r#"{"errcode":0}"#).await;
    let b = subscribe_app(Some(&a), "").await; // same database, same fake WeChat
    let (_company, radar, customer) = subscribed(&a, 3).await;

    radar_says(&a, &radar, &customer).await;
    radar_says(&b, &radar, &customer).await;
    wait_for_sends(&a, 1).await;
    tokio::time::sleep(Duration::from_millis(700)).await;

    assert_eq!(subscribe_sends(&a).await.len(), 1);
    assert_eq!(grants(&a, "used_at IS NOT NULL").await, 1);
}
