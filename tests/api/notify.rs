//! Offline template notifications (spec §6.5): sent once per interval for a radar message that
//! stays unread, with the newest formId, which is then used up.

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
