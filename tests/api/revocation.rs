//! Revocation (issue 8 item 2): a disabled or deleted radar user, the radar users and customers of
//! a deleted company, and a disabled admin lose access within `auth.token_cache_secs` — over HTTP
//! (`{code:400, msg:'token异常'}`) and on sockets already open (the family's token error frame,
//! then close code 1008), also when the change is made on another node.

use std::time::Duration;

use serde_json::{json, Value};
use wiremock::MockServer;

use crate::chat::pair;
use crate::helpers::{spawn_with, test_settings, Principal, TestApp};
use crate::ws_client::{signed, Ws};

const M: &str = "/zhugeleida/xiaochengxu";
const R: &str = "/zhugeleida/qiyeweixin";
/// The token cache of these nodes, in seconds.
const CACHE_SECS: u64 = 1;

/// A node with a one-second token cache.
async fn node() -> TestApp {
    let wechat = MockServer::start().await;
    let mut settings = test_settings(&wechat).await;
    settings.auth.token_cache_secs = CACHE_SECS;
    spawn_with(settings, wechat).await
}

fn token_error() -> Value {
    json!({"code": 400, "msg": "token异常"})
}

/// Whether the envelope is the token error (data and note aside).
fn is_token_error(body: &Value) -> bool {
    body["code"] == 400 && body["msg"] == "token异常"
}

async fn radar_http(app: &TestApp, radar: &Principal, customer: &Principal) -> [Value; 3] {
    let content = json!({"info_type": 1, "msg": "hi"}).to_string();
    let cid = customer.id.to_string();
    [
        app.get_signed(&format!("{R}/contact"), radar, "").await,
        app.get_signed(
            &format!("{R}/chat/getmsg/0"),
            radar,
            &format!("customer_id={cid}"),
        )
        .await,
        app.post_signed(
            &format!("{R}/chat/send_msg/0"),
            radar,
            "",
            &[
                ("customer_id", &cid),
                ("content", &content),
                ("send_type", "1"),
            ],
        )
        .await,
    ]
}

async fn customer_http(app: &TestApp, customer: &Principal, radar: &Principal) -> [Value; 2] {
    let content = json!({"info_type": 1, "msg": "hi"}).to_string();
    let uid = radar.id.to_string();
    [
        app.get_signed(
            &format!("{M}/chat/getmsg/0"),
            customer,
            &format!("u_id={uid}"),
        )
        .await,
        app.post_signed(
            &format!("{M}/chat/send_msg/0"),
            customer,
            "",
            &[("u_id", &uid), ("content", &content), ("send_type", "2")],
        )
        .await,
    ]
}

async fn radar_socket(app: &TestApp, radar: &Principal, customer: &Principal) -> Ws {
    let mut ws = app.connect_ws(&format!("{R}/websocket/leida_chat")).await;
    ws.send(signed(
        radar,
        json!({"type": "register", "customer_id": customer.id}),
    ))
    .await;
    assert_eq!(ws.next().await["code"], 199);
    ws
}

async fn customer_socket(app: &TestApp, customer: &Principal, radar: &Principal) -> Ws {
    let mut ws = app
        .connect_ws(&format!("{M}/websocket/xiaochengxu_chat"))
        .await;
    ws.send(signed(
        customer,
        json!({"type": "register", "u_id": radar.id}),
    ))
    .await;
    assert_eq!(ws.next().await["msg"], "注册成功");
    ws
}

/// Asserts the socket is closed with 1008 within a few cache periods, after the token error.
async fn assert_closed_for_policy(ws: &mut Ws, token_error: &str) {
    let (frames, close) = ws
        .frames_until_close(Duration::from_secs(3 * CACHE_SECS + 3))
        .await;
    let (code, reason) = close.expect("a close frame");
    assert_eq!(code, 1008, "close code ({reason})");
    assert_eq!(reason, "账号已停用");
    assert_eq!(
        frames.last().map(|f| f["msg"].clone()),
        Some(json!(token_error))
    );
}

/// Waits out the token cache.
async fn after_the_cache() {
    tokio::time::sleep(Duration::from_millis(CACHE_SECS * 1000 + 300)).await;
}

async fn radar_loses_access(change: &str) {
    let app = node().await;
    let (_company, radar, customer) = pair(&app).await;
    for body in radar_http(&app, &radar, &customer).await {
        assert_eq!(body["code"], 200, "{change}, before: {body}");
    }
    let mut ws = radar_socket(&app, &radar, &customer).await;
    app.client()
        .await
        .execute(change, &[&radar.id])
        .await
        .unwrap();
    assert_closed_for_policy(&mut ws, "雷达token验证未通过").await;
    after_the_cache().await;
    for body in radar_http(&app, &radar, &customer).await {
        assert!(is_token_error(&body), "{change}, after: {body}");
    }
    // A new socket is refused at its first frame.
    let mut ws = app.connect_ws(&format!("{R}/websocket/leida_chat")).await;
    ws.send(signed(
        &radar,
        json!({"type": "register", "customer_id": customer.id}),
    ))
    .await;
    assert_eq!(ws.next().await["code"], 400);
}

#[actix_web::test]
async fn a_disabled_radar_user_loses_http_and_socket_access() {
    radar_loses_access("UPDATE radar_users SET status = 2 WHERE id = $1").await;
}

#[actix_web::test]
async fn a_deleted_radar_user_loses_http_and_socket_access() {
    radar_loses_access("UPDATE radar_users SET status = 3 WHERE id = $1").await;
}

#[actix_web::test]
async fn a_radar_user_of_a_deleted_company_loses_http_and_socket_access() {
    radar_loses_access(
        "UPDATE companies SET status = 3 WHERE id = (SELECT company_id FROM radar_users WHERE id = $1)",
    )
    .await;
}

#[actix_web::test]
async fn a_customer_of_a_deleted_company_loses_http_and_socket_access() {
    let app = node().await;
    let (company, radar, customer) = pair(&app).await;
    for body in customer_http(&app, &customer, &radar).await {
        assert_eq!(body["code"], 200, "before: {body}");
    }
    let mut ws = customer_socket(&app, &customer, &radar).await;
    // Through the back office, as a super-admin of another company deletes it.
    let platform = app.seed_company("平台").await;
    let root = app.seed_admin(platform, 1).await;
    let deleted = app
        .post_signed(
            &format!("/zhugeleida/admin/company/delete/{company}"),
            &root,
            "",
            &[],
        )
        .await;
    assert_eq!(deleted["code"], 200, "{deleted}");
    assert_closed_for_policy(&mut ws, "小程序token验证未通过").await;
    after_the_cache().await;
    for body in customer_http(&app, &customer, &radar).await {
        assert!(is_token_error(&body), "after: {body}");
    }
}

#[actix_web::test]
async fn a_disabled_admin_and_the_admins_of_a_deleted_company_lose_access() {
    let app = node().await;
    let company = app.seed_company("甲公司").await;
    let other = app.seed_company("乙公司").await;
    let admin = app.seed_admin(company, 2).await;
    let colleague = app.seed_admin(other, 2).await;
    let list = "/zhugeleida/admin/user";
    for who in [&admin, &colleague] {
        let body = app.get_signed(list, who, "").await;
        assert!(!is_token_error(&body), "before: {body}");
    }
    let db = app.client().await;
    db.execute(
        "UPDATE admin_users SET status = 2 WHERE id = $1",
        &[&admin.id],
    )
    .await
    .unwrap();
    db.execute("UPDATE companies SET status = 3 WHERE id = $1", &[&other])
        .await
        .unwrap();
    after_the_cache().await;
    for who in [&admin, &colleague] {
        let body = app.get_signed(list, who, "").await;
        assert!(is_token_error(&body), "after: {body}");
        assert_eq!(body["code"], token_error()["code"]);
    }
}

#[actix_web::test]
async fn a_radar_user_disabled_through_node_a_is_cut_off_on_node_b() {
    let a = node().await;
    // A second node on the same database.
    let b = spawn_with(a.settings.clone(), MockServer::start().await).await;
    let (company, radar, customer) = pair(&a).await;
    let admin = a.seed_admin(company, 2).await;
    let mut on_b = radar_socket(&b, &radar, &customer).await;
    // Node B has verified (and cached) the token; the admin disables the user through node A.
    let body = a
        .post_signed(
            &format!("/zhugeleida/admin/user/update_status/{}", radar.id),
            &admin,
            "",
            &[("status", "2")],
        )
        .await;
    assert_eq!(body["code"], 200, "{body}");
    assert_closed_for_policy(&mut on_b, "雷达token验证未通过").await;
    after_the_cache().await;
    let [contact, ..] = radar_http(&b, &radar, &customer).await;
    assert!(is_token_error(&contact), "{contact}");
}

/// Asserts the socket's next frame is the push of `text`.
async fn assert_pushed(ws: &mut Ws, text: &str) {
    let frame = ws.next().await;
    assert_eq!(frame["data"]["ret_data"][0]["msg"], text, "{frame}");
}

/// One sweep per node re-checks every open socket: a new token (a new login) closes the sockets
/// verified with the old one, and only those; sockets of other principals, and the principal's
/// socket verified with the new token, stay open through later sweeps and keep their pushes.
#[actix_web::test]
async fn a_new_token_closes_the_sockets_verified_with_the_old_one_and_no_other() {
    let app = node().await;
    let (company, radar, customer) = pair(&app).await;
    let radar2 = app.seed_radar_user(company, "李四").await;
    let customer2 = app.seed_customer(company, Some("客户B")).await;
    app.seed_binding(radar2.id, customer2.id).await;
    let mut old = customer_socket(&app, &customer, &radar).await;
    let mut bystander = customer_socket(&app, &customer2, &radar2).await;
    let row = app
        .client()
        .await
        .query_one(
            "UPDATE customers SET token = md5(token) WHERE id = $1 RETURNING token",
            &[&customer.id],
        )
        .await
        .unwrap();
    let renewed = Principal {
        id: customer.id,
        token: row.get(0),
    };
    assert_closed_for_policy(&mut old, "小程序token验证未通过").await;
    after_the_cache().await;
    let mut new = customer_socket(&app, &renewed, &radar).await;
    // Two more sweeps.
    tokio::time::sleep(Duration::from_millis(2 * CACHE_SECS * 1000 + 300)).await;
    for (radar, customer, ws) in [
        (&radar, &renewed, &mut new),
        (&radar2, &customer2, &mut bystander),
    ] {
        let [.., sent] = radar_http(&app, radar, customer).await;
        assert_eq!(sent["code"], 200, "{sent}");
        assert_pushed(ws, "hi").await;
    }
}

#[actix_web::test]
async fn a_socket_whose_pair_is_gone_is_closed_with_the_bad_ids_frame_and_stores_nothing() {
    let app = node().await;
    let (_company, radar, customer) = pair(&app).await;
    let mut ws = customer_socket(&app, &customer, &radar).await;
    // The radar user moves to another company: the socket's pair no longer exists. The socket
    // keeps only the pair's ids, so it finds out once the node's pair cache has let go of it.
    let other = app.seed_company("乙公司").await;
    app.client()
        .await
        .execute(
            "UPDATE radar_users SET company_id = $1 WHERE id = $2",
            &[&other, &radar.id],
        )
        .await
        .unwrap();
    after_the_cache().await;
    ws.send(signed(
        &customer,
        json!({"u_id": radar.id, "content": {"info_type": 1, "msg": "还在吗"}}),
    ))
    .await;
    let (frames, close) = ws.frames_until_close(Duration::from_secs(3)).await;
    assert!(close.is_some(), "closed, not retried: {frames:?}");
    let last = frames.last().expect("the bad-ids frame before the close");
    assert_eq!(
        (&last["code"], &last["msg"]),
        (&json!(401), &json!("user_id和uid不能为空,终止连接"))
    );
    assert_eq!(
        app.scalar("SELECT count(*) FROM chat_messages", &[]).await,
        0
    );
}
