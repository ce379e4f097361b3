//! Several nodes on one Redis (spec §6.3 New): a customer on node A and a radar user on node B chat
//! both ways; Redis restarted mid-test — delivery resumes and `since_id` catches up on everything
//! that was acknowledged meanwhile.

use std::time::Duration;

use crate::chat::pair;
use crate::helpers::{spawn_with, test_settings, Principal, TestApp};
use crate::private_redis::PrivateRedis;
use crate::ws_client::{signed, Ws};
use serde_json::json;
use wiremock::MockServer;

/// Redis URL of the test environment (scripts/test.sh exports it).
fn redis_url() -> String {
    std::env::var("RADAR_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// Two nodes on one database and one Redis (random channel prefix).
async fn two_nodes(redis: &str) -> (TestApp, TestApp) {
    let wechat = MockServer::start().await;
    let mut settings = test_settings(&wechat).await;
    settings.redis.url = redis.to_owned();
    settings.redis.channel_prefix = format!("test-{}", uuid::Uuid::new_v4().simple());
    let a = spawn_with(settings.clone(), wechat).await;
    let b = spawn_with(settings, MockServer::start().await).await;
    (a, b)
}

async fn sockets(a: &TestApp, b: &TestApp, radar: &Principal, customer: &Principal) -> (Ws, Ws) {
    let mut c = a
        .connect_ws("/zhugeleida/xiaochengxu/websocket/xiaochengxu_chat")
        .await;
    c.send(signed(
        customer,
        json!({"type": "register", "u_id": radar.id}),
    ))
    .await;
    assert_eq!(c.next().await["msg"], "注册成功");
    let mut r = b
        .connect_ws("/zhugeleida/qiyeweixin/websocket/leida_chat")
        .await;
    r.send(signed(
        radar,
        json!({"type": "register", "customer_id": customer.id}),
    ))
    .await;
    assert_eq!(r.next().await["code"], 199);
    (c, r)
}

async fn radar_http_send(
    node: &TestApp,
    radar: &Principal,
    customer: &Principal,
    text: &str,
) -> i64 {
    let cid = customer.id.to_string();
    let content = json!({"info_type": 1, "msg": text}).to_string();
    let body = node
        .post_signed(
            "/zhugeleida/qiyeweixin/chat/send_msg/0",
            radar,
            "",
            &[
                ("customer_id", &cid),
                ("content", &content),
                ("send_type", "1"),
            ],
        )
        .await;
    assert_eq!(body["code"], 200, "{body}");
    body["data"]["id"].as_i64().expect("id")
}

#[actix_web::test]
async fn a_customer_on_one_node_and_a_radar_user_on_another_chat_both_ways() {
    let (a, b) = two_nodes(&redis_url()).await;
    let (_company, radar, customer) = pair(&a).await;
    let (mut c, mut r) = sockets(&a, &b, &radar, &customer).await;

    r.send(signed(
        &radar,
        json!({"customer_id": customer.id, "content": {"info_type": 1, "msg": "从B来"}}),
    ))
    .await;
    assert_eq!(r.next().await["msg"], "雷达消息-发送成功");
    let push = c.next().await;
    assert_eq!(push["msg"], "实时推送小程序-最新聊天信息成功");
    assert_eq!(push["data"]["ret_data"][0]["msg"], "从B来");

    c.send(signed(
        &customer,
        json!({"u_id": radar.id, "content": {"info_type": 1, "msg": "从A来"}}),
    ))
    .await;
    assert_eq!(c.next().await["msg"], "小程序消息-发送成功");
    // On B: the echo of its own message, the read receipt from A, then the customer's message.
    let mut seen = vec![];
    for _ in 0..3 {
        seen.push(r.next().await);
    }
    assert!(seen.iter().any(|f| f["code"] == 202), "{seen:?}");
    assert!(
        seen.iter()
            .any(|f| f["data"]["ret_data"][0]["msg"] == "从A来"),
        "{seen:?}"
    );
}

#[actix_web::test]
async fn while_redis_is_down_and_after_every_acked_message_reaches_the_other_node_once_in_order() {
    let mut redis = PrivateRedis::new();
    redis.start().await;
    let (a, b) = two_nodes(&redis.url()).await;
    let (_company, radar, customer) = pair(&a).await;
    let (mut c, _r) = sockets(&a, &b, &radar, &customer).await;
    radar_http_send(&b, &radar, &customer, "before").await;
    assert_eq!(c.next().await["data"]["ret_data"][0]["msg"], "before");

    redis.stop();
    let mut acked = vec![];
    for i in 0..5 {
        acked.push(radar_http_send(&b, &radar, &customer, &format!("during {i}")).await);
    }
    // Node A catches its socket up from PostgreSQL while the bus is down.
    let mut got = vec![];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while got.len() < acked.len() && tokio::time::Instant::now() < deadline {
        if let Some(f) = c.next_within(Duration::from_millis(200)).await {
            got.push(f["data"]["ret_data"][0].clone());
        }
    }
    redis.start().await;
    for i in 0..5 {
        acked.push(radar_http_send(&b, &radar, &customer, &format!("after {i}")).await);
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while got.len() < acked.len() && tokio::time::Instant::now() < deadline {
        if let Some(f) = c.next_within(Duration::from_millis(200)).await {
            got.push(f["data"]["ret_data"][0].clone());
        }
    }
    let ids: Vec<i64> = got.iter().map(|m| m["id"].as_i64().unwrap()).collect();
    assert_eq!(
        ids, acked,
        "every acknowledged message once, in order: {got:?}"
    );
    let seqs: Vec<i64> = got.iter().map(|m| m["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (2..=11).collect::<Vec<i64>>());
    c.silent_for(300).await;
}
