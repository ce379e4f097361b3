//! Cross-cutting HTTP behavior: signatures, methods, paths, limits and encodings (spec §0.2, §1, §2).

use crate::helpers::{spawn_app, Principal, TestApp};
use serde_json::json;

const CARD: &str = "/zhugeleida/xiaochengxu/mingpian";

async fn app_with_customer() -> (TestApp, Principal, Principal) {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    let radar = app.seed_radar_user(company, "张三").await;
    let customer = app.seed_customer(company, Some("客户A")).await;
    (app, radar, customer)
}

fn token_error() -> serde_json::Value {
    json!({"code": 400, "msg": "token异常", "data": {}, "note": {}})
}

#[actix_web::test]
async fn a_wrong_rand_str_is_a_token_error() {
    let (app, radar, customer) = app_with_customer().await;
    let ts = chrono::Utc::now().timestamp_millis();
    let q = format!(
        "user_id={}&timestamp={ts}&rand_str=0123456789abcdef0123456789abcdef&uid={}",
        customer.id, radar.id
    );
    assert_eq!(app.get(CARD, &q).await, token_error());
}

#[actix_web::test]
async fn stale_and_future_timestamps_are_token_errors() {
    let (app, radar, customer) = app_with_customer().await;
    let now = chrono::Utc::now().timestamp_millis();
    for ts in [now - 16 * 60 * 1000, now + 16 * 60 * 1000] {
        let q = format!("{}&uid={}", customer.sign_at(ts), radar.id);
        assert_eq!(app.get(CARD, &q).await, token_error(), "timestamp {ts}");
    }
    // Inside the window it works.
    let q = format!("{}&uid={}", customer.sign_at(now - 5 * 60 * 1000), radar.id);
    assert_eq!(app.get(CARD, &q).await["code"], 200);
}

#[actix_web::test]
async fn timestamps_at_the_ends_of_i64_are_token_errors() {
    // `now - i64::MIN` overflows: a debug build panicked in the handler (connection dropped).
    let (app, radar, customer) = app_with_customer().await;
    for ts in [i64::MIN, i64::MIN + 1, i64::MAX] {
        let q = format!("{}&uid={}", customer.sign_at(ts), radar.id);
        assert_eq!(app.get(CARD, &q).await, token_error(), "timestamp {ts}");
    }
}

#[actix_web::test]
async fn an_unknown_user_id_or_a_missing_triple_is_a_token_error() {
    let (app, radar, customer) = app_with_customer().await;
    let ghost = Principal {
        id: customer.id + 1000,
        token: customer.token.clone(),
    };
    assert_eq!(
        app.get(CARD, &format!("{}&uid={}", ghost.sign(), radar.id))
            .await,
        token_error()
    );
    assert_eq!(
        app.get(CARD, &format!("uid={}", radar.id)).await,
        token_error()
    );
    assert_eq!(
        app.get(CARD, &format!("user_id={}&uid={}", customer.id, radar.id))
            .await,
        token_error()
    );
}

#[actix_web::test]
async fn a_radar_token_does_not_sign_for_the_customer_family() {
    let (app, radar, _customer) = app_with_customer().await;
    // The radar user's id/token checked against the customers table must fail.
    let q = format!("{}&uid={}", radar.sign(), radar.id);
    assert_eq!(app.get(CARD, &q).await, token_error());
}

#[actix_web::test]
async fn a_wrong_method_answers_402() {
    let (app, radar, customer) = app_with_customer().await;
    let url = format!("{}{CARD}?{}&uid={}", app.address, customer.sign(), radar.id);
    let body: serde_json::Value = app
        .http
        .post(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body,
        json!({"code": 402, "msg": "请求方式异常", "data": {}, "note": {}})
    );
}

#[actix_web::test]
async fn a_trailing_slash_reaches_the_same_route() {
    let (app, radar, customer) = app_with_customer().await;
    let body = app
        .get_signed(&format!("{CARD}/"), &customer, &format!("uid={}", radar.id))
        .await;
    assert_eq!(body["code"], 200);
    let body = app
        .get_signed(
            "/zhugeleida/xiaochengxu/mingpian/calling/",
            &customer,
            &format!("uid={}", radar.id),
        )
        .await;
    assert_eq!(body["msg"], "记录成功");
}

#[actix_web::test]
async fn an_unknown_path_is_a_404_envelope() {
    let app = spawn_app().await;
    let (status, body) = app
        .get_raw("/zhugeleida/xiaochengxu/nothing_here", "")
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["code"],
        404
    );
}

#[actix_web::test]
async fn a_body_over_the_limit_is_refused_with_413_and_the_envelope() {
    let (app, _radar, customer) = app_with_customer().await;
    let big = "x".repeat(1024 * 1024);
    let url = format!(
        "{}/zhugeleida/xiaochengxu/login/send_form_id?{}",
        app.address,
        customer.sign()
    );
    let resp = app
        .http
        .post(url)
        .form(&[("formId", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 413);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(
        (body["code"].clone(), body["msg"].clone()),
        (json!(301), json!("请求过大"))
    );
}

#[actix_web::test]
async fn a_compressed_request_body_is_refused_before_it_is_inflated() {
    // actix-http inflates a whole chunk before `server.max_body_bytes` is checked: one 8 KiB zstd
    // body grew the node's memory by ~270 MiB, so a few unsigned requests could exhaust it.
    let (app, _radar, customer) = app_with_customer().await;
    // gzip of `nickName=gz`: inflated, it would be a valid M3 request (answered 200).
    const GZIPPED: [u8; 31] = [
        31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 203, 203, 76, 206, 246, 75, 204, 77, 181, 77, 175, 2, 0,
        115, 87, 161, 160, 11, 0, 0, 0,
    ];
    let url = format!(
        "{}/zhugeleida/xiaochengxu/login/send_user_info?{}",
        app.address,
        customer.sign()
    );
    for encoding in ["gzip", "deflate", "br", "zstd", "GZIP"] {
        let (status, body) = post_encoded(&app, &url, encoding, GZIPPED.to_vec()).await;
        assert_eq!(status, 200, "{encoding}");
        assert_eq!(
            (body["code"].clone(), body["msg"].clone()),
            (json!(301), json!("不支持压缩的请求体")),
            "{encoding}"
        );
    }
    // `identity` is no compression.
    let (_, plain) = post_encoded(&app, &url, "identity", b"nickName=plain".to_vec()).await;
    assert_eq!(plain["code"], 200, "{plain}");
}

/// POSTs `body` as a form with the given `Content-Encoding`: the status and the JSON answer.
async fn post_encoded(
    app: &TestApp,
    url: &str,
    encoding: &str,
    body: Vec<u8>,
) -> (u16, serde_json::Value) {
    let resp = app
        .http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("content-encoding", encoding)
        .body(body)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[actix_web::test]
async fn a_one_mebibyte_query_parameter_is_refused_by_the_http_layer_without_a_500() {
    let (app, radar, customer) = app_with_customer().await;
    let big = "9".repeat(1024 * 1024);
    let url = format!(
        "{}{CARD}?{}&uid={}&pad={big}",
        app.address,
        customer.sign(),
        radar.id
    );
    let status = app.http.get(url).send().await.map(|r| r.status().as_u16());
    // The HTTP layer refuses it (431/414/413/400) or closes the connection; never a 500.
    if let Ok(code) = status {
        assert!(matches!(code, 400 | 413 | 414 | 431), "status {code}");
    }
    // The server still works afterwards.
    assert_eq!(
        app.get_signed(CARD, &customer, &format!("uid={}", radar.id))
            .await["code"],
        200
    );
}

#[actix_web::test]
async fn invalid_utf8_after_percent_decoding_is_a_301() {
    let (app, _radar, customer) = app_with_customer().await;
    let body = app
        .get(CARD, &format!("{}&uid=%FF%FE", customer.sign()))
        .await;
    assert_eq!(body["code"], 301);
    let url = format!(
        "{}/zhugeleida/xiaochengxu/login/send_user_info?{}",
        app.address,
        customer.sign()
    );
    let resp = app
        .http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("nickName=%C3%28")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], 301);
    assert_eq!(body["msg"]["nickName"][0]["code"], "invalid");
}

#[actix_web::test]
async fn a_json_body_with_the_same_keys_is_accepted_and_a_malformed_one_is_a_301() {
    let (app, radar, customer) = app_with_customer().await;
    let url = format!(
        "{}/zhugeleida/xiaochengxu/login/send_user_info?{}",
        app.address,
        customer.sign()
    );
    let ok: serde_json::Value = app
        .http
        .post(&url)
        .json(&json!({"nickName": "小红😀", "uid": radar.id, "page": 1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ok["code"], 200);
    assert_eq!(ok["data"]["ret_data"], "小红😀 已向您授权登录页面");
    let bad = app
        .http
        .post(&url)
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 200);
    assert_eq!(bad.json::<serde_json::Value>().await.unwrap()["code"], 301);
}

#[actix_web::test]
async fn a_customer_cannot_sign_as_another_customer() {
    let (app, radar, customer) = app_with_customer().await;
    let company: i64 = app
        .scalar(
            "SELECT company_id FROM customers WHERE id = $1",
            &[&customer.id],
        )
        .await;
    let victim = app.seed_customer(company, Some("受害者")).await;
    // A's token with B's user_id.
    let forged = Principal {
        id: victim.id,
        token: customer.token.clone(),
    };
    assert_eq!(
        app.get(CARD, &format!("{}&uid={}", forged.sign(), radar.id))
            .await,
        token_error()
    );
    let body = app
        .post_signed(
            "/zhugeleida/xiaochengxu/login/send_user_info",
            &forged,
            "",
            &[("nickName", "x")],
        )
        .await;
    assert_eq!(body, token_error());
    let name: String = app
        .client()
        .await
        .query_one(
            "SELECT username FROM customers WHERE id = $1",
            &[&victim.id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(name, "受害者");
}

#[actix_web::test]
async fn a_deleted_radar_user_is_refused_once_the_token_cache_expires() {
    let wechat = wiremock::MockServer::start().await;
    let mut settings = crate::helpers::test_settings(&wechat).await;
    settings.auth.token_cache_secs = 1;
    let app = crate::helpers::spawn_with(settings, wechat).await;
    let company = app.seed_company("甲公司").await;
    let radar = app.seed_radar_user(company, "张三").await;
    let path = "/zhugeleida/qiyeweixin/contact/query_num";
    assert_eq!(app.get_signed(path, &radar, "").await["code"], 200);
    app.client()
        .await
        .execute(
            "UPDATE radar_users SET status = 3 WHERE id = $1",
            &[&radar.id],
        )
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(app.get_signed(path, &radar, "").await, token_error());
}

#[actix_web::test]
async fn a_body_trickling_in_past_the_body_timeout_gets_408_and_the_connection_closes() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let wechat = wiremock::MockServer::start().await;
    let mut settings = crate::helpers::test_settings(&wechat).await;
    settings.server.body_timeout_secs = 1;
    let app = crate::helpers::spawn_with(settings, wechat).await;
    let company = app.seed_company("甲公司").await;
    let customer = app.seed_customer(company, Some("客户A")).await;
    let host = app.address.trim_start_matches("http://");
    let mut tcp = tokio::net::TcpStream::connect(host).await.expect("connect");
    let head = format!(
        "POST /zhugeleida/xiaochengxu/login/send_form_id?{} HTTP/1.1\r\nHost: {host}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nformId=",
        customer.sign()
    );
    tcp.write_all(head.as_bytes()).await.expect("head");
    let started = std::time::Instant::now();
    // One byte every 300 ms: the body would take half a minute to arrive.
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let closed = loop {
        let _ = tcp.write_all(b"a").await;
        match tokio::time::timeout(std::time::Duration::from_millis(300), tcp.read(&mut buf)).await
        {
            Ok(Ok(0)) | Ok(Err(_)) => break true,
            Ok(Ok(n)) => answer.extend_from_slice(&buf[..n]),
            Err(_) if started.elapsed().as_secs() >= 5 => break false,
            Err(_) => {}
        }
    };
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains(r#"{"code":301,"msg":"请求体读取超时""#),
        "{answer}"
    );
    assert!(closed, "the connection stays open: {answer}");
    assert!(
        started.elapsed().as_secs_f64() < 3.0,
        "{:?}",
        started.elapsed()
    );
    // Nothing was stored from the partial body.
    let db = app.db.get().await.unwrap();
    let n: i64 = db
        .query_one("SELECT count(*) FROM customer_form_ids", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
}

fn not_found() -> serde_json::Value {
    json!({"code": 404, "msg": "非法请求", "data": {}, "note": {}})
}

#[actix_web::test]
async fn missing_statics_and_console_assets_and_unparsable_paths_answer_the_envelope() {
    let app = spawn_app().await;
    let malformed = json!({"code": 301, "msg": "请求格式错误", "data": {}, "note": {}});
    for (path, status, envelope) in [
        ("/statics/nothing.png", 404, not_found()),
        (
            "/statics/zhugeleida/imgs/xiaochengxu/poster/not_a_pair.png",
            404,
            not_found(),
        ),
        ("/statics/%2e%2e/%2e%2e/etc/passwd", 404, not_found()),
        ("/console/js/missing.js", 404, not_found()),
        ("/console/..%2f..%2fconfig.toml", 404, not_found()),
        // actix-files refuses an encoded `/` itself (400, a text body before).
        ("/statics/..%2f..%2fconfig.toml", 400, malformed.clone()),
    ] {
        let (got, body) = app.get_raw(path, "").await;
        assert_eq!(got, status, "{path}: {body}");
        let body: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(body, envelope, "{path}");
    }
}

#[actix_web::test]
async fn a_request_on_a_socket_path_that_is_no_upgrade_gets_the_envelope() {
    let app = spawn_app().await;
    let url = format!(
        "{}/zhugeleida/xiaochengxu/websocket/xiaochengxu_chat",
        app.address
    );
    let refused = json!({"code": 301, "msg": "需要WebSocket连接", "data": {}, "note": {}});
    // A plain GET.
    let plain = app.http.get(&url).send().await.unwrap();
    assert_eq!(plain.status(), 400);
    assert_eq!(plain.json::<serde_json::Value>().await.unwrap(), refused);
    // An upgrade in a version the server does not speak: 426 names the one it does.
    let old = app
        .http
        .get(&url)
        .header("Connection", "Upgrade")
        .header("Upgrade", "websocket")
        .header("Sec-WebSocket-Version", "99")
        .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 426);
    assert_eq!(old.headers()["sec-websocket-version"], "13");
    assert_eq!(old.json::<serde_json::Value>().await.unwrap(), refused);
}
