//! Delivery guarantees (issue 9): `seq` everywhere, gap fill, resume on register, resends that
//! deliver, clear answers in a database outage, admission control, closes that say why.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use radar::ids::{CustomerId, RadarUserId};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::Message;

use crate::chat::pair;
use crate::helpers::{spawn_app, spawn_with, test_settings, Principal, TestApp};
use crate::ws_client::{signed, Ws};

const WS_M: &str = "/zhugeleida/xiaochengxu/websocket/xiaochengxu_chat";
const WS_R1: &str = "/zhugeleida/qiyeweixin/websocket/leida_chat";

async fn radar_says(app: &TestApp, radar: &Principal, customer: &Principal, text: &str) -> Value {
    radar_sends(app, radar, customer, text, None).await
}

async fn radar_says_again(
    app: &TestApp,
    radar: &Principal,
    customer: &Principal,
    text: &str,
    cmid: &str,
) -> Value {
    radar_sends(app, radar, customer, text, Some(cmid)).await
}

async fn radar_sends(
    app: &TestApp,
    radar: &Principal,
    customer: &Principal,
    text: &str,
    cmid: Option<&str>,
) -> Value {
    let cid = customer.id.to_string();
    let content = json!({"info_type": 1, "msg": text}).to_string();
    let mut form = vec![
        ("customer_id", cid.as_str()),
        ("content", &content),
        ("send_type", "1"),
    ];
    form.extend(cmid.map(|c| ("client_msg_id", c)));
    app.post_signed("/zhugeleida/qiyeweixin/chat/send_msg/0", radar, "", &form)
        .await
}

/// Stores a radar message the way a node that died before publishing would leave it: committed,
/// never announced on the bus.
async fn store_silently(
    app: &TestApp,
    radar: &Principal,
    customer: &Principal,
    text: &str,
    cmid: Option<&str>,
) -> (i64, i64) {
    store_on(&app.client().await, radar, customer, text, cmid).await
}

/// Stores a radar message on `db` as another node's writer would (inside `db`'s transaction, if
/// one is open): its id and seq.
async fn store_on(
    db: &deadpool_postgres::Object,
    radar: &Principal,
    customer: &Principal,
    text: &str,
    cmid: Option<&str>,
) -> (i64, i64) {
    let content = json!({"info_type": 1, "msg": text});
    let row = db
        .query_one(
            "SELECT id, seq FROM chat_insert_batch(ARRAY[nextval('chat_messages_id_seq')], \
             ARRAY[$1::bigint], ARRAY[$2::bigint], ARRAY[1::smallint], ARRAY[$3::jsonb], \
             ARRAY[true], ARRAY[false], ARRAY[$4::varchar], ARRAY[false], ARRAY[2])",
            &[&radar.id, &customer.id, &content, &cmid],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1))
}

/// Opens a transaction on `client` that holds the pair's conversation row, as a writer batch does
/// until its commit is flushed; the row is free again once it ends.
async fn hold_conversation(
    client: &mut deadpool_postgres::Object,
    radar: i64,
    customer: i64,
) -> deadpool_postgres::Transaction<'_> {
    let blocker = client.transaction().await.unwrap();
    blocker
        .execute(
            "SELECT 1 FROM conversations WHERE user_id = $1 AND customer_id = $2 FOR UPDATE",
            &[&radar, &customer],
        )
        .await
        .unwrap();
    blocker
}

/// How many rows hold `cmid`.
async fn stored_with_client_msg_id(app: &TestApp, cmid: &str) -> i64 {
    app.scalar(
        "SELECT count(*) FROM chat_messages WHERE client_msg_id = $1",
        &[&cmid],
    )
    .await
}

async fn customer_socket(
    app: &TestApp,
    customer: &Principal,
    radar: &Principal,
    extra: Value,
) -> Ws {
    let mut ws = app.connect_ws(WS_M).await;
    let mut frame = json!({"type": "register", "u_id": radar.id});
    for (k, v) in extra.as_object().unwrap() {
        frame[k] = v.clone();
    }
    ws.send(signed(customer, frame)).await;
    assert_eq!(ws.next().await, json!({"code": 200, "msg": "注册成功"}));
    ws
}

fn pushed(frame: &Value) -> (String, i64) {
    let item = &frame["data"]["ret_data"][0];
    (
        item["msg"].as_str().unwrap_or_default().to_owned(),
        item["seq"].as_i64().unwrap_or(-1),
    )
}

#[actix_web::test]
async fn every_ack_push_and_history_item_carries_the_conversation_seq() {
    let app = spawn_app().await;
    let (_c, radar, customer) = pair(&app).await;
    let mut ws = customer_socket(&app, &customer, &radar, json!({})).await;
    for (i, text) in ["一", "二", "三"].iter().enumerate() {
        let ack = radar_says(&app, &radar, &customer, text).await;
        assert_eq!(ack["data"]["seq"], i as i64 + 1, "{ack}");
        assert_eq!(pushed(&ws.next().await), (text.to_string(), i as i64 + 1));
    }
    let q = format!("u_id={}&since_id=0", radar.id);
    let got = app
        .get_signed("/zhugeleida/xiaochengxu/chat/getmsg/0", &customer, &q)
        .await;
    let seqs: Vec<i64> = got["data"]["ret_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, vec![1, 2, 3], "{got}");
}

#[actix_web::test]
async fn a_socket_that_sees_a_seq_jump_sends_the_missing_messages_first() {
    let app = spawn_app().await;
    let (_c, radar, customer) = pair(&app).await;
    let mut ws = customer_socket(&app, &customer, &radar, json!({})).await;
    store_silently(&app, &radar, &customer, "lost 1", None).await;
    store_silently(&app, &radar, &customer, "lost 2", None).await;
    radar_says(&app, &radar, &customer, "live").await;
    assert_eq!(pushed(&ws.next().await), ("lost 1".into(), 1));
    assert_eq!(pushed(&ws.next().await), ("lost 2".into(), 2));
    assert_eq!(pushed(&ws.next().await), ("live".into(), 3));
    ws.silent_for(300).await;
}

/// WS-M pushes carry the customer's badge *before* the pushed message is marked read (spec
/// §6.6), from the writer's snapshot and without a database read; marks still on their way to
/// the database are taken off again, so a burst shows 4 then 1, never 4 then 5.
#[actix_web::test]
async fn pushed_badges_count_unread_messages_before_the_push_marks_them_read() {
    let app = spawn_app().await;
    let (_c, radar, customer) = pair(&app).await;
    for text in ["old 1", "old 2", "old 3"] {
        radar_says(&app, &radar, &customer, text).await;
    }
    // `register` puts the customer inside the chat page: pushes are marked read from now on.
    let mut ws = customer_socket(&app, &customer, &radar, json!({})).await;
    let (a, b) = tokio::join!(
        radar_says(&app, &radar, &customer, "new 1"),
        radar_says(&app, &radar, &customer, "new 2")
    );
    assert_eq!(
        (a["code"].as_i64(), b["code"].as_i64()),
        (Some(200), Some(200))
    );
    let badges: Vec<i64> = [ws.next().await, ws.next().await]
        .iter()
        .map(|f| f["data"]["unread_msg_num"].as_i64().unwrap())
        .collect();
    assert_eq!(badges, vec![4, 1]);
    // The marks land: nothing is left unread, and the next push counts only itself.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let unread = app
        .scalar("SELECT customer_unread::bigint FROM conversations", &[])
        .await;
    assert_eq!(unread, 0);
    radar_says(&app, &radar, &customer, "new 3").await;
    assert_eq!(ws.next().await["data"]["unread_msg_num"], 1);
}

#[actix_web::test]
async fn register_with_a_resume_point_sends_everything_after_it_then_live_without_repeats() {
    let app = spawn_app().await;
    let (_c, radar, customer) = pair(&app).await;
    let first = radar_says(&app, &radar, &customer, "m1").await["data"]["id"]
        .as_i64()
        .unwrap();
    radar_says(&app, &radar, &customer, "m2").await;
    radar_says(&app, &radar, &customer, "m3").await;

    let mut by_seq = customer_socket(&app, &customer, &radar, json!({"since_seq": 1})).await;
    assert_eq!(pushed(&by_seq.next().await), ("m2".into(), 2));
    assert_eq!(pushed(&by_seq.next().await), ("m3".into(), 3));

    let mut by_id = customer_socket(&app, &customer, &radar, json!({"since_id": first})).await;
    assert_eq!(pushed(&by_id.next().await), ("m2".into(), 2));
    assert_eq!(pushed(&by_id.next().await), ("m3".into(), 3));

    radar_says(&app, &radar, &customer, "m4").await;
    assert_eq!(pushed(&by_seq.next().await), ("m4".into(), 4));
    assert_eq!(pushed(&by_id.next().await), ("m4".into(), 4));
    by_seq.silent_for(300).await;
}

#[actix_web::test]
async fn a_resend_of_a_stored_but_unpublished_message_reaches_the_receiver_once() {
    let app = spawn_app().await;
    let (_c, radar, customer) = pair(&app).await;
    let mut ws = customer_socket(&app, &customer, &radar, json!({})).await;
    let (id, seq) = store_silently(&app, &radar, &customer, "crashed", Some("k-1")).await;
    let ack = radar_says_again(&app, &radar, &customer, "crashed", "k-1").await;
    assert_eq!(
        (ack["data"]["id"].as_i64(), ack["data"]["seq"].as_i64()),
        (Some(id), Some(seq))
    );
    assert_eq!(pushed(&ws.next().await), ("crashed".into(), seq));
    // A second resend is not pushed twice.
    radar_says_again(&app, &radar, &customer, "crashed", "k-1").await;
    ws.silent_for(300).await;
    assert_eq!(stored_with_client_msg_id(&app, "k-1").await, 1);
}

/// Another node stores the same `client_msg_id` at the same instant: its transaction has stored
/// the row but not committed when this node's batch looks for it, so this batch finds nothing,
/// waits on the conversation's lock and then collides with the committed row (a one-row batch is
/// stored row by row, `chat_insert_rows`: only that path looks before it locks). The sender must
/// get that row back, and it must be stored once.
#[actix_web::test]
async fn a_send_racing_another_nodes_commit_of_the_same_client_msg_id_gets_its_row() {
    let app = spawn_app().await;
    let (_c, radar, customer) = pair(&app).await;
    let other_node = app.client().await;
    other_node.batch_execute("BEGIN").await.unwrap();
    let (id, seq) = store_on(&other_node, &radar, &customer, "race", Some("race-1")).await;
    // This node's batch reaches the conversation's lock, then the other node commits its row.
    let commit_later = async {
        tokio::time::sleep(Duration::from_millis(400)).await;
        other_node.batch_execute("COMMIT").await.unwrap();
    };
    let (ack, ()) = tokio::join!(
        radar_says_again(&app, &radar, &customer, "race", "race-1"),
        commit_later
    );
    assert_eq!(ack["code"], 200, "{ack}");
    assert_eq!(
        (ack["data"]["id"].as_i64(), ack["data"]["seq"].as_i64()),
        (Some(id), Some(seq))
    );
    assert_eq!(stored_with_client_msg_id(&app, "race-1").await, 1);
    // The conversation moved once: the next message follows the raced one.
    let next = radar_says(&app, &radar, &customer, "after").await;
    assert_eq!(next["data"]["seq"].as_i64(), Some(seq + 1), "{next}");
}

#[actix_web::test]
async fn a_socket_client_msg_id_that_http_refuses_is_refused_on_the_socket_too() {
    let app = spawn_app().await;
    let (_c, radar, customer) = pair(&app).await;
    let mut ws = customer_socket(&app, &customer, &radar, json!({})).await;
    let content = json!({"info_type": 1, "msg": "hi"}).to_string();
    for bad in [json!("x".repeat(65)), json!({"a": 1})] {
        ws.send(signed(
            &customer,
            json!({"u_id": radar.id, "content": content, "client_msg_id": bad}),
        ))
        .await;
        let refusal = ws.next().await;
        assert_eq!(refusal["code"], 301, "{refusal}");
        assert!(refusal["msg"]["client_msg_id"].is_array(), "{refusal}");
    }
    let count = app.scalar("SELECT count(*) FROM chat_messages", &[]).await;
    assert_eq!(count, 0);
    // Still open.
    ws.send(signed(
        &customer,
        json!({"u_id": radar.id, "content": content, "client_msg_id": "ok-1"}),
    ))
    .await;
    assert_eq!(ws.next().await["code"], 200);
}

type Raw =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn raw_socket(app: &TestApp, path: &str) -> Raw {
    let url = format!("{}{path}", app.address.replacen("http://", "ws://", 1));
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

/// The close frame's code, skipping text frames; None if the connection ends without one.
async fn close_code(ws: &mut Raw) -> Option<(u16, String)> {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .ok()??
        {
            Ok(Message::Close(Some(c))) => return Some((u16::from(c.code), c.reason.to_string())),
            Ok(Message::Close(None)) | Err(_) => return None,
            Ok(_) => continue,
        }
    }
}

#[actix_web::test]
async fn fragmented_text_is_reassembled_and_invalid_utf8_closes_with_1007() {
    let app = spawn_app().await;
    let (_c, radar, customer) = pair(&app).await;
    let text = signed(&customer, json!({"type": "register", "u_id": radar.id})).to_string();
    let (a, b) = text.as_bytes().split_at(10);
    let mut ws = raw_socket(&app, WS_M).await;
    ws.send(Message::Frame(Frame::message(
        a.to_vec(),
        OpCode::Data(Data::Text),
        false,
    )))
    .await
    .unwrap();
    ws.send(Message::Frame(Frame::message(
        b.to_vec(),
        OpCode::Data(Data::Continue),
        true,
    )))
    .await
    .unwrap();
    let reply = tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(
        reply,
        Message::Text(json!({"code": 200, "msg": "注册成功"}).to_string())
    );

    ws.send(Message::Frame(Frame::message(
        vec![0xff, 0xfe, 0x7b],
        OpCode::Data(Data::Text),
        true,
    )))
    .await
    .unwrap();
    assert_eq!(close_code(&mut ws).await.map(|c| c.0), Some(1007));
}

#[actix_web::test]
async fn in_a_database_outage_http_answers_503_in_the_envelope_and_sockets_close_with_1013() {
    let app = spawn_app().await;
    let (_c, radar, customer) = pair(&app).await;
    let dbname = app
        .settings
        .database
        .url
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let admin = crate::helpers::admin_client().await;
    admin
        .batch_execute(&format!(
            "ALTER DATABASE \"{dbname}\" ALLOW_CONNECTIONS false; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{dbname}';"
        ))
        .await
        .unwrap();
    let (status, body) = app
        .get_raw(
            "/zhugeleida/xiaochengxu/chat/getmsg/0",
            &format!("{}&u_id={}&since_id=0", customer.sign(), radar.id),
        )
        .await;
    // A fresh signature check needs the database too: answered like any other outage.
    assert_eq!(status, 200, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["code"], 503, "{body}");
    assert_eq!(body["msg"], "服务暂时不可用,请稍后重试");

    let mut ws = raw_socket(&app, WS_M).await;
    let frame = signed(&customer, json!({"type": "register", "u_id": radar.id}));
    ws.send(Message::Text(frame.to_string())).await.unwrap();
    assert_eq!(close_code(&mut ws).await.map(|c| c.0), Some(1013));

    admin
        .batch_execute(&format!(
            "ALTER DATABASE \"{dbname}\" ALLOW_CONNECTIONS true"
        ))
        .await
        .unwrap();
    let mut back = false;
    for _ in 0..50 {
        if radar_says(&app, &radar, &customer, "back").await["code"] == 200 {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(back, "sends work again after the outage");
}

#[actix_web::test]
async fn admission_refuses_excess_sends_at_once_and_never_stores_a_refused_one() {
    let wechat = wiremock::MockServer::start().await;
    let mut settings = test_settings(&wechat).await;
    settings.chat.write_batch_rows = 1;
    settings.chat.admission_delay_ms = 1;
    let app = spawn_with(settings, wechat).await;
    let (_c, radar, customer) = pair(&app).await;
    let sends = (0..300).map(|i| {
        let (app, radar, customer) = (&app, &radar, &customer);
        async move { radar_says(app, radar, customer, &format!("m{i}")).await }
    });
    let answers = futures_util::future::join_all(sends).await;
    let acked: Vec<i64> = answers
        .iter()
        .filter_map(|a| a["data"]["id"].as_i64())
        .collect();
    let busy = answers.iter().filter(|a| a["code"] == 429).count();
    assert!(
        answers.iter().all(|a| a["code"] == 200 || a["code"] == 429),
        "{answers:?}"
    );
    assert!(
        busy > 0,
        "300 concurrent sends through a one-row writer with a 1 ms admission delay"
    );
    assert_eq!(
        answers.iter().find(|a| a["code"] == 429).unwrap()["msg"],
        "服务器繁忙,请稍后重试"
    );
    let stored = app.scalar("SELECT count(*) FROM chat_messages", &[]).await;
    assert_eq!(
        stored as usize,
        acked.len(),
        "refused sends are never stored, acked ones always"
    );
}

#[actix_web::test]
async fn a_node_whose_event_loop_runs_late_refuses_sends_until_it_catches_up() {
    let wechat = wiremock::MockServer::start().await;
    let mut settings = test_settings(&wechat).await;
    settings.chat.admission_lag_ms = 20;
    let app = spawn_with(settings, wechat).await;
    let (_c, radar, customer) = pair(&app).await;
    assert_eq!(
        radar_says(&app, &radar, &customer, "before").await["code"],
        200
    );

    // Hog the node's main loop (this test's thread: the registry and the writer run here): every
    // ready task, the loop's lag probe included, now waits ~40 ms for its turn.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let hog = actix_web::rt::spawn({
        let stop = stop.clone();
        async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(40));
                tokio::task::yield_now().await;
            }
        }
    });
    let (mut refused, mut accepted_during) = (None, 0);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while refused.is_none() && std::time::Instant::now() < deadline {
        let answer = radar_says(&app, &radar, &customer, "during").await;
        match answer["code"].as_i64() {
            Some(429) => refused = Some(answer),
            Some(200) => accepted_during += 1,
            _ => panic!("{answer}"),
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    hog.await.unwrap();
    let refused = refused.expect("a send refused while the loop ran 40 ms late");
    assert_eq!(refused["msg"], "服务器繁忙,请稍后重试");

    // Caught up: sends are accepted again within a few windows.
    let caught_up = std::time::Instant::now();
    loop {
        let answer = radar_says(&app, &radar, &customer, "after").await;
        if answer["code"] == 200 {
            break;
        }
        assert_eq!(answer["code"], 429, "{answer}");
        assert!(
            caught_up.elapsed() < Duration::from_secs(2),
            "still refusing"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stored_during = app
        .scalar(
            "SELECT count(*) FROM chat_messages WHERE content->>'msg' = 'during'",
            &[],
        )
        .await;
    assert_eq!(
        stored_during, accepted_during,
        "the refused send is not stored"
    );
}

#[actix_web::test]
async fn a_row_the_database_refuses_fails_alone_and_its_batch_is_stored() {
    use radar::chat::writer::WriteError;
    let app = spawn_app().await;
    let (_c, radar, customer) = pair(&app).await;
    let writer = own_writer(&app, Duration::from_millis(20), 1);
    let message = |text: &str| radar_message(radar.id, customer.id, text);
    let (a, bad, b) = tokio::join!(
        writer.insert(message("a")),
        writer.insert(message("nul \u{0} inside")),
        writer.insert(message("b")),
    );
    assert!(matches!(bad, Err(WriteError::Refused(_))), "{bad:?}");
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        (a.message.seq, b.message.seq),
        (1, 2),
        "the refused row takes no seq"
    );
    assert_eq!(writer.fallbacks(), 1);
}

#[actix_web::test]
async fn a_conversation_held_up_in_one_writer_shard_does_not_hold_up_the_others() {
    let app = spawn_app().await;
    let writer = own_writer(&app, Duration::ZERO, 2);
    let (company, radar, customer) = pair(&app).await;
    let mut other = None;
    for i in 0..16 {
        let c = app.seed_customer(company, Some(&format!("客户{i}"))).await;
        if writer.shard_of(RadarUserId(radar.id), CustomerId(c.id))
            != writer.shard_of(RadarUserId(radar.id), CustomerId(customer.id))
        {
            app.seed_binding(radar.id, c.id).await;
            other = Some((radar.id, c.id));
            break;
        }
    }
    let (other_radar, other_customer) = other.expect("16 pairs all on one of two shards");
    writer
        .insert(radar_message(radar.id, customer.id, "first"))
        .await
        .unwrap();

    // Another transaction holds the first conversation's row: its next batch waits for it.
    let mut client = app.db.get().await.unwrap();
    let blocker = hold_conversation(&mut client, radar.id, customer.id).await;
    let held = tokio::spawn({
        let writer = writer.clone();
        let m = radar_message(radar.id, customer.id, "held");
        async move { writer.insert(m).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let free = tokio::time::timeout(
        Duration::from_secs(3),
        writer.insert(radar_message(other_radar, other_customer, "free")),
    )
    .await
    .expect("the other shard commits while the first waits")
    .unwrap();
    assert_eq!(free.message.seq, 1);
    assert!(!held.is_finished(), "the held conversation still waits");
    blocker.rollback().await.unwrap();
    let held = held.await.unwrap().unwrap();
    assert_eq!(
        held.message.seq, 2,
        "and is stored in order once the row is free"
    );
}

#[actix_web::test]
async fn a_read_mark_skips_a_held_conversation_without_holding_up_the_others_and_lands_once_free() {
    use radar::chat::reader::{ReadChange, Reader};
    let app = spawn_app().await;
    let writer = own_writer(&app, Duration::ZERO, 1);
    let (company, radar, customer) = pair(&app).await;
    let other = app.seed_customer(company, Some("客户二")).await;
    app.seed_binding(radar.id, other.id).await;
    let held = writer
        .insert(radar_message(radar.id, customer.id, "held"))
        .await
        .unwrap();
    let free = writer
        .insert(radar_message(radar.id, other.id, "free"))
        .await
        .unwrap();
    let (tx, mut changes) = tokio::sync::mpsc::unbounded_channel();
    let batch = radar::batch::BatchConfig {
        max_rows: 64,
        window: Duration::ZERO,
    };
    let reader = Reader::start(app.db.clone(), batch, move |c| {
        let _ = tx.send(c);
    });
    let read_state = |customer: i64| {
        let app = &app;
        async move {
            let sql = "SELECT customer_read_seq * 10 + customer_unread FROM conversations \
                       WHERE user_id = $1 AND customer_id = $2";
            app.scalar(sql, &[&radar.id, &customer]).await
        }
    };
    let receipt = |customer: i64| ReadChange::CustomerRead {
        radar_user: RadarUserId(radar.id),
        customer: CustomerId(customer),
    };

    // Another transaction holds the first conversation's row, as a writer batch does until its
    // commit is flushed; both marks arrive in one batch of the reader.
    let mut client = app.db.get().await.unwrap();
    let blocker = hold_conversation(&mut client, radar.id, customer.id).await;
    reader.customer(
        RadarUserId(radar.id),
        CustomerId(customer.id),
        held.message.seq,
    );
    reader.customer(
        RadarUserId(radar.id),
        CustomerId(other.id),
        free.message.seq,
    );

    let first = tokio::time::timeout(Duration::from_secs(3), changes.recv())
        .await
        .expect("the free pair is marked while the other one is held")
        .unwrap();
    assert_eq!(first, receipt(other.id));
    assert_eq!(
        read_state(other.id).await,
        10,
        "read up to seq 1, nothing unread"
    );
    // The held pair is tried again every few milliseconds, and skipped while it is held.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        changes.try_recv().is_err(),
        "no receipt while the row is held"
    );
    assert_eq!(read_state(customer.id).await, 1, "still unread");

    blocker.rollback().await.unwrap();
    let second = tokio::time::timeout(Duration::from_secs(3), changes.recv())
        .await
        .expect("the held pair is marked once its row is free")
        .unwrap();
    assert_eq!(second, receipt(customer.id));
    assert_eq!(read_state(customer.id).await, 10);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(changes.try_recv().is_err(), "marked once");
}

#[actix_web::test]
async fn shutdown_closes_sockets_with_1012_after_answering_what_was_queued() {
    let app = spawn_app().await;
    let (_c, radar, customer) = pair(&app).await;
    // A second server over the same state, whose handle this test holds.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = radar::startup::run(listener, app.state.clone()).unwrap();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    let url = format!("ws://127.0.0.1:{port}{WS_R1}");
    let mut ws: Raw = tokio_tungstenite::connect_async(url).await.unwrap().0;
    let frame = signed(
        &radar,
        json!({"type": "register", "customer_id": customer.id}),
    );
    ws.send(Message::Text(frame.to_string())).await.unwrap();
    let _ack = ws.next().await;

    radar::startup::shutdown(&app.state, &handle).await;
    let (code, reason) = close_code(&mut ws).await.expect("a close frame");
    assert_eq!(code, 1012);
    assert_eq!(reason, "服务器重启,请重新连接");
    // New sends are refused, not stored.
    let refused = radar_says(&app, &radar, &customer, "late").await;
    assert_eq!(refused["code"], 503, "{refused}");
    assert_eq!(
        app.scalar("SELECT count(*) FROM chat_messages", &[]).await,
        0
    );
}

async fn customer_sends(app: &TestApp, customer: &Principal, radar: &Principal, text: &str) {
    let uid = radar.id.to_string();
    let content = json!({"info_type": 1, "msg": text}).to_string();
    let sent = app
        .post_signed(
            "/zhugeleida/xiaochengxu/chat/send_msg/0",
            customer,
            "",
            &[("u_id", &uid), ("content", &content), ("send_type", "2")],
        )
        .await;
    assert_eq!(sent["code"], 200, "{sent}");
}

/// Each side's counter and the number of messages the derived flags call unread, per pair.
async fn counters_and_flags(app: &TestApp) -> Vec<(i64, i64, i64, i64)> {
    app.client()
        .await
        .query(
            "SELECT cv.customer_unread::bigint, \
                    (SELECT count(*) FROM chat_message_state s WHERE s.user_id = cv.user_id \
                      AND s.customer_id = cv.customer_id AND s.send_type = 1 AND s.is_customer_new_msg), \
                    cv.user_unread::bigint, \
                    (SELECT count(*) FROM chat_message_state s WHERE s.user_id = cv.user_id \
                      AND s.customer_id = cv.customer_id AND s.send_type = 2 AND s.is_user_new_msg) \
             FROM conversations cv ORDER BY cv.user_id, cv.customer_id",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect()
}

/// Every stored row version (a row that was updated gets a new xmin).
async fn row_versions(app: &TestApp) -> Vec<(i64, String)> {
    app.client()
        .await
        .query("SELECT id, xmin::text FROM chat_messages ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

#[actix_web::test]
async fn read_state_moves_watermarks_only_and_counters_always_equal_the_derived_flags() {
    let app = spawn_app().await;
    let (_c, radar, customer) = pair(&app).await;
    radar_says(&app, &radar, &customer, "r1").await;
    radar_says(&app, &radar, &customer, "r2").await;
    customer_sends(&app, &customer, &radar, "c1").await;
    customer_sends(&app, &customer, &radar, "c2").await;
    assert_eq!(counters_and_flags(&app).await, vec![(2, 2, 2, 2)]);
    let stored = row_versions(&app).await;

    // The customer opens the chat: a push marks the pair read for them up to it.
    let mut ws = customer_socket(&app, &customer, &radar, json!({})).await;
    radar_says(&app, &radar, &customer, "r3").await;
    let push = ws.next().await;
    assert_eq!(
        push["data"]["unread_msg_num"], 3,
        "the badge as the push arrives: {push}"
    );
    // The read-marker commits in the background: wait for it.
    for _ in 0..50 {
        if counters_and_flags(&app).await[0].0 == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(counters_and_flags(&app).await, vec![(0, 0, 2, 2)]);

    // The radar user fetches since the first customer message: both read.
    let q = format!("customer_id={}&since_id=0", customer.id);
    app.get_signed("/zhugeleida/qiyeweixin/chat/getmsg/0", &radar, &q)
        .await;
    assert_eq!(counters_and_flags(&app).await, vec![(0, 0, 0, 0)]);
    customer_sends(&app, &customer, &radar, "c3").await;
    assert_eq!(counters_and_flags(&app).await, vec![(0, 0, 1, 1)]);

    let now = row_versions(&app).await;
    assert_eq!(
        &now[..stored.len()],
        &stored[..],
        "no message row was ever updated"
    );
}

#[actix_web::test]
async fn pushes_keep_flowing_while_the_sockets_own_send_waits_for_its_commit() {
    use radar::chat::event::{Channel, Event};
    let app = spawn_app().await;
    let (_c, radar, customer) = pair(&app).await;
    radar_says(&app, &radar, &customer, "first").await;
    let mut ws = app.connect_ws(WS_R1).await;
    ws.send(signed(
        &radar,
        json!({"type": "register", "customer_id": customer.id}),
    ))
    .await;
    assert_eq!(ws.next().await["code"], 199);

    // Hold the pair's conversation row: the socket's next send cannot commit meanwhile.
    let mut blocker = app.client().await;
    let tx = blocker.transaction().await.unwrap();
    tx.execute(
        "SELECT 1 FROM conversations WHERE user_id = $1 AND customer_id = $2 FOR UPDATE",
        &[&radar.id, &customer.id],
    )
    .await
    .unwrap();
    let content = json!({"info_type": 1, "msg": "stuck"}).to_string();
    ws.send(signed(
        &radar,
        json!({"customer_id": customer.id, "content": content, "client_msg_id": "s-1"}),
    ))
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.state.chat.bus.publish(
        Channel::Radar(RadarUserId(radar.id)),
        Event::ReadReceipt {
            radar_user: RadarUserId(radar.id),
            customer: CustomerId(customer.id),
        },
    );
    let receipt = ws
        .next_within(Duration::from_secs(2))
        .await
        .expect("the receipt while the send waits");
    assert_eq!(receipt["code"], 202, "{receipt}");

    tx.rollback().await.unwrap();
    let ack = ws.next().await;
    assert_eq!(
        (ack["code"].clone(), ack["data"]["client_msg_id"].clone()),
        (json!(200), json!("s-1")),
        "{ack}"
    );
    let echo = ws.next().await;
    assert_eq!(
        echo["data"]["ret_data"][0]["msg"], "stuck",
        "the echo follows its ack: {echo}"
    );
}

/// A message writer of the test's own over the app's database (no admission control).
fn own_writer(app: &TestApp, window: Duration, shards: usize) -> radar::chat::writer::Writer {
    use radar::chat::writer::{Writer, WriterConfig};
    Writer::start(
        app.db.clone(),
        WriterConfig {
            batch: radar::batch::BatchConfig {
                max_rows: 64,
                window,
            },
            store_timeout: Duration::from_secs(5),
            admission_delay: Duration::ZERO,
            shards,
        },
        std::sync::Arc::new(radar::chat::bus::local::LocalBus::default()),
    )
}

/// A radar user's text message to `customer`, as the writer takes it.
fn radar_message(radar: i64, customer: i64, text: &str) -> radar::store::message::NewMessage {
    radar::store::message::NewMessage {
        radar_user: RadarUserId(radar),
        customer: CustomerId(customer),
        send_type: 1,
        content: json!({"info_type": 1, "msg": text}),
        unread_for_customer: true,
        unread_for_radar: false,
        client_msg_id: None,
        quotes_article: false,
        counter: radar::store::message::Counter::RadarMessage,
    }
}
