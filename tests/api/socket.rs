//! The websockets (spec §6.6): binding, pushes both ways with exact payloads, read receipts,
//! multi-device delivery, the badge and contact sockets, and bad frames.

use std::time::Duration;

use crate::chat::pair;
use crate::helpers::{spawn_app, Principal, TestApp};
use crate::ws_client::{signed, Ws};
use serde_json::json;

const WS_M: &str = "/zhugeleida/xiaochengxu/websocket/xiaochengxu_chat";
const WS_R1: &str = "/zhugeleida/qiyeweixin/websocket/leida_chat";
const WS_R2: &str = "/zhugeleida/qiyeweixin/websocket/leida_query_info_num";
const WS_R3: &str = "/zhugeleida/qiyeweixin/websocket/leida_query_contact_list";

async fn customer_socket(app: &TestApp, customer: &Principal, radar: &Principal) -> Ws {
    let mut ws = app.connect_ws(WS_M).await;
    ws.send(signed(
        customer,
        json!({"type": "register", "u_id": radar.id}),
    ))
    .await;
    assert_eq!(ws.next().await, json!({"code": 200, "msg": "注册成功"}));
    ws
}

async fn radar_socket(app: &TestApp, radar: &Principal, customer: &Principal) -> Ws {
    let mut ws = app.connect_ws(WS_R1).await;
    ws.send(signed(
        radar,
        json!({"type": "register", "customer_id": customer.id}),
    ))
    .await;
    assert_eq!(ws.next().await, json!({"code": 199, "msg": "注册成功"}));
    ws
}

#[actix_web::test]
async fn a_radar_message_sent_over_the_socket_reaches_the_customer_and_comes_back_read() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let mut c = customer_socket(&app, &customer, &radar).await;
    let mut r = radar_socket(&app, &radar, &customer).await;
    let content = json!({"info_type": 1, "msg": "您好"}).to_string();
    r.send(signed(
        &radar,
        json!({"customer_id": customer.id, "content": content, "client_msg_id": "r-1"}),
    ))
    .await;

    let ack = r.next().await;
    assert_eq!(ack["code"], 200);
    assert_eq!(ack["msg"], "雷达消息-发送成功");
    assert_eq!(ack["data"]["client_msg_id"], "r-1");
    let id = ack["data"]["id"].clone();
    let echo = r.next().await;
    assert_eq!(echo["msg"], "实时推送雷达-最新聊天信息成功");
    assert_eq!(echo["data"]["ret_data"][0]["id"], id);

    let push = c.next().await;
    assert_eq!(push["code"], 200);
    assert_eq!(push["msg"], "实时推送小程序-最新聊天信息成功");
    assert_eq!(push["data"]["count"], 1);
    assert_eq!(push["data"]["unread_msg_num"], 1);
    let item = &push["data"]["ret_data"][0];
    assert_eq!(item["id"], id);
    assert_eq!(item["msg"], "您好");
    assert_eq!(item["info_type"], 1);
    assert_eq!(item["send_type"], 1);
    assert_eq!(item["customer"], "客户A");
    assert_eq!(item["is_first_info"], false);
    assert_eq!(item["client_msg_id"], "r-1");
    assert_eq!(item["dateTime"].as_str().unwrap().len(), 19);

    // Inside the chat page the push is read: the radar socket gets the receipt.
    let receipt = r.next().await;
    assert_eq!(
        receipt,
        json!({"code": 202, "msg": "实时通知小程序新消息-已读通知", "data": {"is_customer_already_read": 1}})
    );
    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM chat_message_state WHERE is_customer_new_msg",
            &[]
        )
        .await,
        0
    );
}

#[actix_web::test]
async fn a_customer_message_sent_over_the_socket_reaches_the_radar_user_read() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let mut c = customer_socket(&app, &customer, &radar).await;
    let mut r = radar_socket(&app, &radar, &customer).await;
    let content = json!({"info_type": 1, "msg": "在吗"});
    c.send(signed(
        &customer,
        json!({"u_id": radar.id, "content": content}),
    ))
    .await;
    let ack = c.next().await;
    assert_eq!(ack["msg"], "小程序消息-发送成功");
    let echo = c.next().await;
    assert_eq!(echo["data"]["ret_data"][0]["msg"], "在吗");
    let push = r.next().await;
    assert_eq!(push["msg"], "实时推送雷达-最新聊天信息成功");
    let item = &push["data"]["ret_data"][0];
    assert_eq!(
        (
            item["send_type"].clone(),
            item["name"].clone(),
            item["msg"].clone()
        ),
        (json!(2), json!("客户A"), json!("在吗"))
    );
    assert_eq!(item["is_customer_already_read"], 1);
    // The radar user's open chat reads it.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM chat_message_state WHERE is_user_new_msg",
            &[]
        )
        .await,
        0
    );
}

#[actix_web::test]
async fn http_sends_reach_sockets_and_both_devices_of_a_customer() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let mut phone = customer_socket(&app, &customer, &radar).await;
    let mut tablet = app.connect_ws(WS_M).await;
    tablet
        .send(signed(
            &customer,
            json!({"type": "query_num", "u_id": radar.id}),
        ))
        .await;
    assert_eq!(tablet.next().await["msg"], "查询成功-获取聊天数量");
    let cid = customer.id.to_string();
    app.post_signed(
        "/zhugeleida/qiyeweixin/chat/send_msg/0",
        &radar,
        "",
        &[
            ("customer_id", &cid),
            ("content", r#"{"info_type":1,"msg":"两台"}"#),
            ("send_type", "1"),
        ],
    )
    .await;
    assert_eq!(phone.next().await["data"]["ret_data"][0]["msg"], "两台");
    assert_eq!(tablet.next().await["data"]["ret_data"][0]["msg"], "两台");
}

#[actix_web::test]
async fn read_receipts_reach_only_the_radar_user_whose_messages_were_read() {
    let app = spawn_app().await;
    let (company, a, customer) = pair(&app).await;
    let b = app.seed_radar_user(company, "李四").await;
    app.seed_binding(b.id, customer.id).await;
    let mut ra = radar_socket(&app, &a, &customer).await;
    let mut rb = radar_socket(&app, &b, &customer).await;
    let cid = customer.id.to_string();
    app.post_signed(
        "/zhugeleida/qiyeweixin/chat/send_msg/0",
        &a,
        "",
        &[
            ("customer_id", &cid),
            ("content", r#"{"info_type":1,"msg":"A说"}"#),
            ("send_type", "1"),
        ],
    )
    .await;
    assert_eq!(
        ra.next().await["msg"],
        "实时推送雷达-最新聊天信息成功",
        "the sender's own device gets the echo"
    );
    let page = app
        .get_signed(
            "/zhugeleida/xiaochengxu/chat",
            &customer,
            &format!("u_id={}", a.id),
        )
        .await;
    assert_eq!(page["code"], 200);
    assert_eq!(ra.next().await["code"], 202);
    rb.silent_for(400).await;
}

#[actix_web::test]
async fn query_num_reports_the_badge_and_the_phone_for_the_first_three_frames() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    app.client()
        .await
        .execute("UPDATE customers SET phone = '+8613800138000'", &[])
        .await
        .unwrap();
    let mut ws = app.connect_ws(WS_M).await;
    let mut phones = vec![];
    for _ in 0..4 {
        ws.send(signed(
            &customer,
            json!({"type": "query_num", "u_id": radar.id.to_string()}),
        ))
        .await;
        let f = ws.next().await;
        assert_eq!(f["data"], json!({"unread_msg_num": 0}));
        phones.push(f["phone"].clone());
    }
    assert_eq!(
        phones,
        vec![
            json!("+8613800138000"),
            json!("+8613800138000"),
            json!("+8613800138000"),
            json!("")
        ]
    );
    ws.send(signed(
        &customer,
        json!({"type": "lived", "u_id": radar.id}),
    ))
    .await;
    assert_eq!(
        ws.next().await,
        json!({"code": 270, "msg": "为了新中国的胜利向我开炮"})
    );
    ws.send(signed(
        &customer,
        json!({"type": "closed", "u_id": radar.id}),
    ))
    .await;
    let bye = ws.next().await;
    assert_eq!(
        bye["msg"],
        format!("确认关闭  customer_id | uid | {}|{}", customer.id, radar.id)
    );
    assert!(ws.closed().await);
}

#[actix_web::test]
async fn outside_the_chat_page_pushes_arrive_but_stay_unread() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let mut ws = app.connect_ws(WS_M).await;
    ws.send(signed(
        &customer,
        json!({"type": "query_num", "u_id": radar.id}),
    ))
    .await;
    ws.next().await;
    let cid = customer.id.to_string();
    app.post_signed(
        "/zhugeleida/qiyeweixin/chat/send_msg/0",
        &radar,
        "",
        &[
            ("customer_id", &cid),
            ("content", r#"{"info_type":1,"msg":"hi"}"#),
            ("send_type", "1"),
        ],
    )
    .await;
    let push = ws.next().await;
    assert_eq!(push["data"]["unread_msg_num"], 1);
    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM chat_message_state WHERE is_customer_new_msg",
            &[]
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn the_badge_and_contact_sockets_follow_new_customer_messages() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let mut badge = app.connect_ws(WS_R2).await;
    badge
        .send(signed(&radar, json!({"type": "register"})))
        .await;
    assert_eq!(
        badge.next().await,
        json!({"code": 200, "msg": "注册成功返回【消息数量】成功", "data": {"unread_msg_num": 0}})
    );
    let mut contacts = app.connect_ws(WS_R3).await;
    contacts
        .send(signed(&radar, json!({"type": "register"})))
        .await;
    assert_eq!(contacts.next().await["data"]["unread_msg_num"], 0);
    let uid = radar.id.to_string();
    app.post_signed(
        "/zhugeleida/xiaochengxu/chat/send_msg/0",
        &customer,
        "",
        &[
            ("u_id", &uid),
            ("content", r#"{"info_type":1,"msg":"新消息"}"#),
            ("send_type", "2"),
        ],
    )
    .await;
    assert_eq!(
        badge.next().await,
        json!({"code": 200, "msg": "实时获取雷达【消息数量】成功", "data": {"unread_msg_num": 1}})
    );
    let list = contacts.next().await;
    assert_eq!(list["data"]["unread_msg_num"], 1);
    assert_eq!(list["data"]["ret_data"][0]["msg"], "新消息");
    assert_eq!(list["data"]["ret_data"][0]["count"], 1);
    // Reading over HTTP updates the badge socket too.
    app.get_signed(
        "/zhugeleida/qiyeweixin/chat",
        &radar,
        &format!("customer_id={}", customer.id),
    )
    .await;
    assert_eq!(badge.next().await["data"]["unread_msg_num"], 0);
}

#[actix_web::test]
async fn bad_frames_get_the_error_frame_and_close() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let mut ws = app.connect_ws(WS_M).await;
    ws.send_text("not json").await;
    let f = ws.next().await;
    assert_eq!(f["code"], 400);
    assert!(
        f["msg"].as_str().unwrap().starts_with("报错:")
            && f["msg"].as_str().unwrap().ends_with(" 终止连接")
    );
    assert!(ws.closed().await);

    let mut ws = app.connect_ws(WS_M).await;
    ws.send(signed(&customer, json!({"type": "register"})))
        .await;
    assert_eq!(
        ws.next().await,
        json!({"code": 401, "msg": "user_id和uid不能为空,终止连接"})
    );
    assert!(ws.closed().await);

    let mut ws = app.connect_ws(WS_M).await;
    ws.send(json!({"type": "register", "user_id": customer.id, "u_id": radar.id, "timestamp": "1", "rand_str": "x"})).await;
    assert_eq!(
        ws.next().await,
        json!({"code": 400, "msg": "小程序token验证未通过"})
    );
    assert!(ws.closed().await);

    let mut ws = app.connect_ws(WS_R1).await;
    ws.send(signed(
        &customer,
        json!({"type": "register", "customer_id": customer.id}),
    ))
    .await;
    assert_eq!(
        ws.next().await,
        json!({"code": 400, "msg": "雷达token验证未通过"})
    );

    let mut ws = app.connect_ws(WS_M).await;
    ws.send_text(&format!("{{\"pad\":\"{}\"}}", "x".repeat(100 * 1024)))
        .await;
    assert!(ws.closed().await);

    let mut ws = app.connect_ws(WS_M).await;
    ws.send_binary(vec![1, 2, 3]).await;
    assert_eq!(ws.next().await["code"], 400);
    assert!(ws.closed().await);

    let mut ws = app.connect_ws(WS_M).await;
    ws.send(signed(
        &customer,
        json!({"type": "register", "user_id": customer.id, "u_id": [1]}),
    ))
    .await;
    assert_eq!(ws.next().await["code"], 401);
}

#[actix_web::test]
async fn a_bad_message_over_the_socket_gets_301_and_the_socket_stays_open() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let mut c = customer_socket(&app, &customer, &radar).await;
    c.send(signed(
        &customer,
        json!({"u_id": radar.id, "content": "{broken"}),
    ))
    .await;
    assert_eq!(c.next().await["code"], 301);
    c.send(signed(
        &customer,
        json!({"u_id": radar.id, "content": {"info_type": 1, "msg": ""}}),
    ))
    .await;
    assert_eq!(c.next().await["code"], 301);
    c.send(signed(
        &customer,
        json!({"type": "lived", "u_id": radar.id}),
    ))
    .await;
    assert_eq!(c.next().await["code"], 270);
}

#[actix_web::test]
async fn a_socket_retry_with_the_same_client_msg_id_is_acknowledged_with_the_first_id() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let mut c = customer_socket(&app, &customer, &radar).await;
    let frame = json!({"u_id": radar.id, "content": {"info_type": 1, "msg": "一次"}, "client_msg_id": "dup"});
    c.send(signed(&customer, frame.clone())).await;
    let first = c.next().await;
    c.next().await; // echo
    c.send(signed(&customer, frame)).await;
    let second = c.next().await;
    assert_eq!(first["data"]["id"], second["data"]["id"]);
    c.silent_for(300).await; // no second echo
    assert_eq!(
        app.scalar("SELECT count(*) FROM chat_messages", &[]).await,
        1
    );
}

#[actix_web::test]
async fn the_document_paths_serve_the_same_sockets_and_the_registry_forgets_closed_ones() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let mut ws = app
        .connect_ws("/zhugeleida/public/websocket/xiaochengxu")
        .await;
    ws.send(signed(
        &customer,
        json!({"type": "register", "u_id": radar.id}),
    ))
    .await;
    assert_eq!(ws.next().await["msg"], "注册成功");
    let mut r = app.connect_ws("/zhugeleida/public/websocket/leida").await;
    r.send(signed(
        &radar,
        json!({"type": "register", "customer_id": customer.id}),
    ))
    .await;
    assert_eq!(r.next().await["code"], 199);
    let stats = app
        .state
        .chat
        .registry
        .send(radar::chat::registry::GetStats)
        .await
        .unwrap();
    assert_eq!(stats.listeners, 2);
    drop(ws);
    drop(r);
    for _ in 0..50 {
        let stats = app
            .state
            .chat
            .registry
            .send(radar::chat::registry::GetStats)
            .await
            .unwrap();
        if stats.listeners == 0 && stats.channels == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the registry kept listeners of closed sockets");
}

#[actix_web::test]
async fn a_burst_of_socket_sends_is_stored_and_acked_in_the_order_sent() {
    let wechat = wiremock::MockServer::start().await;
    let mut settings = crate::helpers::test_settings(&wechat).await;
    settings.chat.rate_per_sec = 100_000;
    settings.chat.rate_burst = 100_000;
    let app = crate::helpers::spawn_with(settings, wechat).await;
    let (_company, radar, customer) = pair(&app).await;
    let mut r = radar_socket(&app, &radar, &customer).await;
    const N: usize = 400;
    // Many frames arrive in one read while earlier sends complete: each send must still be
    // queued for the writer in frame order.
    for i in 0..N {
        let content = json!({"info_type": 1, "msg": format!("m{i}")}).to_string();
        r.send(signed(
            &radar,
            json!({"customer_id": customer.id, "content": content}),
        ))
        .await;
    }
    let mut acked = Vec::new();
    while acked.len() < N {
        let frame = r.next().await;
        if frame["msg"] == "雷达消息-发送成功" {
            acked.push(frame["data"]["seq"].as_i64().unwrap());
        }
    }
    assert!(
        acked.windows(2).all(|w| w[0] < w[1]),
        "acks in send order carry rising seqs: {acked:?}"
    );
    let rows = app
        .client()
        .await
        .query(
            "SELECT content->>'msg' FROM chat_messages
             WHERE user_id = $1 AND customer_id = $2 AND content->>'msg' LIKE 'm%' ORDER BY seq",
            &[&radar.id, &customer.id],
        )
        .await
        .unwrap();
    let stored: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    let sent: Vec<String> = (0..N).map(|i| format!("m{i}")).collect();
    assert_eq!(stored, sent, "stored in the order sent");
}
