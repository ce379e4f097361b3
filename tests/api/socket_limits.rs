//! Socket limits: heartbeat timeout, inbound rate limit, and the bounded outbound queue.

use std::time::Duration;

use crate::chat::pair;
use crate::helpers::{spawn_with, test_settings, TestApp};
use crate::ws_client::signed;
use radar::chat::registry::GetStats;
use serde_json::json;
use wiremock::MockServer;

async fn app_with(tune: impl FnOnce(&mut radar::config::ChatSettings)) -> TestApp {
    let wechat = MockServer::start().await;
    let mut settings = test_settings(&wechat).await;
    tune(&mut settings.chat);
    spawn_with(settings, wechat).await
}

async fn listeners(app: &TestApp) -> usize {
    app.state
        .chat
        .registry
        .send(GetStats)
        .await
        .expect("registry")
        .listeners
}

#[actix_web::test]
async fn a_silent_client_is_closed_after_the_timeout_and_forgotten() {
    let app = app_with(|c| {
        c.heartbeat_secs = 1;
        c.client_timeout_secs = 2;
    })
    .await;
    let (_company, radar, customer) = pair(&app).await;
    let mut ws = app
        .connect_ws("/zhugeleida/xiaochengxu/websocket/xiaochengxu_chat")
        .await;
    ws.send(signed(
        &customer,
        json!({"type": "register", "u_id": radar.id}),
    ))
    .await;
    assert_eq!(ws.next().await["code"], 200);
    assert_eq!(listeners(&app).await, 1);
    // Not reading means not answering pings: the server gives up after 2 s.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(listeners(&app).await, 0);
    assert!(ws.closed().await);
}

#[actix_web::test]
async fn a_client_that_keeps_answering_pings_stays_open() {
    let app = app_with(|c| {
        c.heartbeat_secs = 1;
        c.client_timeout_secs = 2;
    })
    .await;
    let (_company, radar, customer) = pair(&app).await;
    let mut ws = app
        .connect_ws("/zhugeleida/xiaochengxu/websocket/xiaochengxu_chat")
        .await;
    ws.send(signed(
        &customer,
        json!({"type": "register", "u_id": radar.id}),
    ))
    .await;
    ws.next().await;
    // Reading answers the pings (tungstenite pongs automatically).
    ws.silent_for(3500).await;
    ws.send(signed(
        &customer,
        json!({"type": "lived", "u_id": radar.id}),
    ))
    .await;
    assert_eq!(ws.next().await["code"], 270);
}

#[actix_web::test]
async fn a_socket_that_never_binds_is_closed_even_while_it_answers_pings() {
    let app = app_with(|c| {
        c.heartbeat_secs = 1;
        c.client_timeout_secs = 2;
    })
    .await;
    let (_company, radar, _customer) = pair(&app).await;
    let paths = [
        "/zhugeleida/xiaochengxu/websocket/xiaochengxu_chat",
        "/zhugeleida/qiyeweixin/websocket/leida_chat",
        "/zhugeleida/qiyeweixin/websocket/leida_query_info_num",
        "/zhugeleida/qiyeweixin/websocket/leida_query_contact_list",
    ];
    let mut unbound = Vec::new();
    for path in paths {
        unbound.push(app.connect_ws(path).await);
    }
    // (A frame that fails its checks closes a socket at once: silence is what lingers.)
    let mut bound = app
        .connect_ws("/zhugeleida/qiyeweixin/websocket/leida_query_info_num")
        .await;
    bound
        .send(signed(&radar, json!({"type": "register"})))
        .await;
    assert_eq!(bound.next().await["code"], 200);
    // Reading (all at once) answers the server's pings, so only the bind deadline closes these.
    // The bound one is read meanwhile too (else it stops answering pings and times out).
    let (ends, ()) = tokio::join!(
        futures_util::future::join_all(
            unbound
                .iter_mut()
                .map(|ws| ws.frames_until_close(Duration::from_secs(5))),
        ),
        bound.silent_for(3500),
    );
    for (path, (frames, close)) in paths.iter().zip(ends) {
        assert!(frames.is_empty(), "{path}: {frames:?}");
        assert_eq!(close, Some((1008, "连接超时未验证".to_owned())), "{path}");
    }
    bound
        .send(signed(&radar, json!({"type": "register"})))
        .await;
    assert_eq!(bound.next().await["code"], 200, "a bound socket stays open");
    let (_, body) = app.get_raw("/metrics", "").await;
    assert!(
        body.contains(r#"radar_ws_unbound_closes_total{kind="radar_badge"} 1"#),
        "{body}"
    );
}

#[actix_web::test]
async fn a_principal_past_its_listener_cap_is_refused_and_its_first_sockets_stay() {
    let app = app_with(|c| c.max_listeners_per_principal = 3).await;
    let (company, radar, customer) = pair(&app).await;
    let path = "/zhugeleida/xiaochengxu/websocket/xiaochengxu_chat";
    let register = || signed(&customer, json!({"type": "register", "u_id": radar.id}));
    let mut open = Vec::new();
    for _ in 0..3 {
        let mut ws = app.connect_ws(path).await;
        ws.send(register()).await;
        assert_eq!(ws.next().await["code"], 200);
        open.push(ws);
    }
    // A fourth socket of the same customer: refused, with a frame saying why.
    let mut fourth = app.connect_ws(path).await;
    fourth.send(register()).await;
    let (frames, close) = fourth.frames_until_close(Duration::from_secs(5)).await;
    assert_eq!(
        frames,
        vec![json!({"code": 429, "msg": "连接数过多,请关闭其他页面后重试"})]
    );
    assert_eq!(close, Some((1008, "连接过多".to_owned())));
    // A long-poll past the cap answers at once instead of waiting its 5 s.
    let started = std::time::Instant::now();
    let q = format!("u_id={}&wait=5", radar.id);
    let polled = app
        .get_signed("/zhugeleida/xiaochengxu/chat/getmsg/0", &customer, &q)
        .await;
    assert_eq!(polled["code"], 200, "{polled}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // The first three keep working, and freeing one makes room again.
    for ws in open.iter_mut() {
        ws.send(signed(
            &customer,
            json!({"type": "lived", "u_id": radar.id}),
        ))
        .await;
        assert_eq!(ws.next().await["code"], 270);
    }
    drop(open.pop());
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while listeners(&app).await > 2 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut again = app.connect_ws(path).await;
    again.send(register()).await;
    assert_eq!(again.next().await["code"], 200);
    // Another customer is not held back by this one's sockets.
    let other = app.seed_customer(company, Some("客户B")).await;
    app.seed_binding(radar.id, other.id).await;
    let mut theirs = app.connect_ws(path).await;
    theirs
        .send(signed(
            &other,
            json!({"type": "register", "u_id": radar.id}),
        ))
        .await;
    assert_eq!(theirs.next().await["code"], 200);
}

#[actix_web::test]
async fn frames_over_the_rate_limit_get_429_and_the_socket_stays_open() {
    let app = app_with(|c| {
        c.rate_per_sec = 1;
        c.rate_burst = 3;
    })
    .await;
    let (_company, radar, customer) = pair(&app).await;
    let mut ws = app
        .connect_ws("/zhugeleida/xiaochengxu/websocket/xiaochengxu_chat")
        .await;
    for _ in 0..5 {
        ws.send(signed(
            &customer,
            json!({"type": "lived", "u_id": radar.id}),
        ))
        .await;
    }
    let mut codes = vec![];
    for _ in 0..5 {
        codes.push(ws.next().await["code"].as_i64().unwrap());
    }
    codes.sort();
    assert_eq!(codes, vec![270, 270, 270, 429, 429]);
    let refused = json!({"code": 429, "msg": "发送太频繁"});
    tokio::time::sleep(Duration::from_millis(1100)).await;
    ws.send(signed(
        &customer,
        json!({"type": "lived", "u_id": radar.id}),
    ))
    .await;
    assert_ne!(ws.next().await, refused);
}

#[actix_web::test]
async fn a_client_that_stops_reading_is_closed_and_the_server_keeps_serving() {
    let app = app_with(|c| {
        c.outbound_queue_bytes = 16 * 1024;
        c.outbound_queue_frames = 50;
        c.rate_per_sec = 100_000;
        c.rate_burst = 100_000;
    })
    .await;
    let (_company, radar, customer) = pair(&app).await;
    let mut slow = app
        .connect_ws_small_buffer("/zhugeleida/xiaochengxu/websocket/xiaochengxu_chat")
        .await;
    slow.send(signed(
        &customer,
        json!({"type": "query_num", "u_id": radar.id}),
    ))
    .await;
    slow.next().await;
    let mut r = app
        .connect_ws("/zhugeleida/qiyeweixin/websocket/leida_chat")
        .await;
    r.send(signed(
        &radar,
        json!({"type": "register", "customer_id": customer.id}),
    ))
    .await;
    r.next().await;
    // Large messages fill the kernel's socket buffers quickly, then the session's bounded queue.
    let big = "满".repeat(4000);
    let mut closed = false;
    for i in 0..3000 {
        r.send(signed(&radar, json!({"customer_id": customer.id, "content": {"info_type": 1, "msg": big}, "client_msg_id": format!("m{i}")}))).await;
        r.next().await; // ack
        r.next().await; // echo
        if i % 10 == 9 && listeners(&app).await == 1 {
            closed = true;
            break;
        }
    }
    assert!(closed, "the slow customer socket was never closed");
    // The slow socket ends (after whatever the kernel had buffered) and the node still serves.
    assert!(slow.closed().await);
    r.send(signed(
        &radar,
        json!({"type": "lived", "customer_id": customer.id}),
    ))
    .await;
    assert_eq!(r.next().await["code"], 270);
}

#[actix_web::test]
async fn a_frame_declared_over_the_limit_is_closed_at_its_header_not_buffered_until_it_arrives() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = crate::helpers::spawn_app().await;
    let host = app.address.trim_start_matches("http://").to_owned();
    let mut tcp = tokio::net::TcpStream::connect(&host)
        .await
        .expect("connect");
    let handshake = format!(
        "GET /zhugeleida/xiaochengxu/websocket/xiaochengxu_chat HTTP/1.1\r\nHost: {host}\r\n\
         Upgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    tcp.write_all(handshake.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(tcp.read_u8().await.expect("handshake answer"));
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );

    // No login needed: a text frame whose header declares 1 GiB (masked, 64-bit length), then
    // the first 64 KiB of it. The node must refuse it now, not read on until 1 GiB has arrived.
    let mut frame = vec![0x81, 0x80 | 127];
    frame.extend_from_slice(&(1u64 << 30).to_be_bytes());
    frame.extend_from_slice(&[1, 2, 3, 4]);
    tcp.write_all(&frame).await.unwrap();
    let _ = tcp.write_all(&vec![b'x'; 64 * 1024]).await;

    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(3), async {
        let mut chunk = [0u8; 256];
        while answer.len() < 4 {
            match tcp.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "no answer within 3 s: the node waited for the payload"
    );
    // A close frame (0x88) with status 1009 (message too big).
    assert_eq!(answer.first(), Some(&0x88), "{answer:?}");
    assert_eq!(&answer[2..4], &1009u16.to_be_bytes(), "{answer:?}");
}
