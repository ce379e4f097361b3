//! The built `radar` binary as an operator sees it (issue 12 items 1-3, issue 8 item 5): JSON log
//! lines with a span per request; no secret in them at debug level through a login, an M7 phone
//! decryption and chat sends (HTTP and socket); no ANSI colour when stderr is not a terminal;
//! actix's client-error lines summarised at warn instead of one ERROR per malformed request; the
//! health and metrics endpoints the README shows.
#![allow(clippy::unwrap_used)]

#[path = "support/radar_process.rs"]
mod radar_process;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use radar_process::{RadarProcess, Signer};
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::Message;
use wiremock::matchers::{path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// WeChat's session key for the customer and an M7 payload encrypted with it (tests/api/phone.rs).
const SESSION_KEY: &str = "cmFkYXItdGVzdC1rZXktMQ==";
const PHONE_IV: &str = "cmFkYXItdGVzdC1pdi0wMQ==";
const PHONE_DATA: &str = "4Yf/uasPx0ZbU9f9QpjEalWReAnysoZNhhaQCwh8I1r0MY86eYNfaR52hbPQJh4siw05sY9GzjLtLsHWtN3wr6t6rNX5TwSUj/S/MtUj5BBMfWx5DpOZ78l41+P5n23HKPG81czkaLt8N+FYmFW2uLdFf5JmzSPAJGZpJEtApHuSFpp1xpNFApq8RQvFdIys9XjheSMAZVbxxDgQhXUfsw==";
const PHONE: &str = "13800138000";
const JS_CODE: &str = "js-code-for-the-log-test";
const RADAR_PASSWORD: &str = "Radar-pass-9317";
const WRONG_PASSWORD: &str = "Wrong-guess-5521";
const ADMIN_PASSWORD: &str = "Admin-pass-4408";

#[actix_web::test]
async fn a_login_a_phone_decryption_and_chat_sends_log_no_secret() {
    let wechat = MockServer::start().await;
    Mock::given(path("/sns/jscode2session"))
        .and(query_param("js_code", JS_CODE))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(
                json!({"openid": "o-logs", "session_key": SESSION_KEY}).to_string(),
            ),
        )
        .mount(&wechat)
        .await;
    let radar = RadarProcess::start(&[
        ("RADAR__LOG__FORMAT", "json"),
        ("RADAR__LOG__FILTER", "debug,radar=trace"),
        ("RADAR__WECHAT__MODE", "live"),
        ("RADAR__WECHAT__API_BASE", &wechat.uri()),
    ])
    .await;
    let seed = radar.seed(RADAR_PASSWORD, ADMIN_PASSWORD).await;
    let mut signer = Signer::default();
    let http = reqwest::Client::new();
    let base = radar.address();

    // A customer logs in through WeChat, gets bound, and sends their phone number (M7).
    let login: Value = http
        .get(format!(
            "{base}/zhugeleida/xiaochengxu/login?code={JS_CODE}&user_type=2&company_id={}&user_version=1.0.0",
            seed.company
        ))
        .send().await.unwrap().json().await.unwrap();
    assert_eq!(login["code"], 200, "{login}");
    let cid = login["data"]["cid"].as_i64().unwrap();
    let customer_token = login["data"]["token"].as_str().unwrap().to_owned();
    radar.bind(seed.radar_user, cid).await;
    let m7 = post(
        &http,
        format!(
            "{base}/zhugeleida/xiaochengxu/chat/encrypted_phone_number/0?{}",
            signer.sign(cid, &customer_token)
        ),
        &[
            ("u_id", seed.radar_user.to_string().as_str()),
            ("encryptedData", PHONE_DATA),
            ("iv", PHONE_IV),
        ],
    )
    .await;
    assert_eq!(m7["data"]["phoneNumber"], PHONE, "{m7}");

    // The customer chats over HTTP and over the socket.
    let sent = post(
        &http,
        format!(
            "{base}/zhugeleida/xiaochengxu/chat/send_msg/0?{}",
            signer.sign(cid, &customer_token)
        ),
        &[
            ("u_id", seed.radar_user.to_string().as_str()),
            ("content", r#"{"info_type":1,"msg":"http hello"}"#),
            ("send_type", "2"),
        ],
    )
    .await;
    assert_eq!(sent["code"], 200, "{sent}");
    let ws_url = format!(
        "{}/zhugeleida/xiaochengxu/websocket/xiaochengxu_chat",
        base.replacen("http", "ws", 1)
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_url).await.unwrap();
    let frame = signer.frame(
        cid,
        &customer_token,
        json!({"u_id": seed.radar_user, "content": {"info_type": 1, "msg": "ws hello"}}),
    );
    ws.send(Message::Text(frame.to_string())).await.unwrap();
    let _ = tokio::time::timeout(Duration::from_secs(5), ws.next()).await;

    // A radar user fails once, logs in, and answers; an admin logs in.
    let radar_login = |password: &'static str| {
        let form = [
            ("login_user", seed.radar_login.clone()),
            ("password", password.to_owned()),
        ];
        post(&http, format!("{base}/zhugeleida/qiyeweixin/login"), form)
    };
    radar_login(WRONG_PASSWORD).await;
    let ok = radar_login(RADAR_PASSWORD).await;
    let radar_token = ok["data"]["token"].as_str().unwrap().to_owned();
    let reply = post(
        &http,
        format!(
            "{base}/zhugeleida/qiyeweixin/chat/send_msg/0?{}",
            signer.sign(seed.radar_user, &radar_token)
        ),
        &[
            ("customer_id", cid.to_string().as_str()),
            ("content", r#"{"info_type":1,"msg":"reply"}"#),
            ("send_type", "1"),
        ],
    )
    .await;
    assert_eq!(reply["code"], 200, "{reply}");
    let admin = post(
        &http,
        format!("{base}/zhugeleida/admin/login"),
        &[
            ("username", seed.admin_login.as_str()),
            ("password", ADMIN_PASSWORD),
        ],
    )
    .await;
    let admin_token = admin["data"]["token"].as_str().unwrap().to_owned();
    drop(ws);

    let lines = radar.stop_and_read_json_lines().await;
    let text = lines
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    let mut secrets = vec![
        customer_token.clone(),
        radar_token,
        admin_token,
        SESSION_KEY.to_owned(),
        PHONE.to_owned(),
        PHONE_IV.to_owned(),
        PHONE_DATA[..24].to_owned(),
        JS_CODE.to_owned(),
        seed.app_secret.clone(),
        RADAR_PASSWORD.to_owned(),
        WRONG_PASSWORD.to_owned(),
        ADMIN_PASSWORD.to_owned(),
    ];
    secrets.extend(signer.rand_strs.iter().cloned());
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "the logs hold {secret:?}:\n{}",
            lines_with(&lines, secret)
        );
    }
    // The request spans are there, with the route pattern and the principal, never the raw path.
    let send = lines.iter().find(|l| {
        l["spans"].as_array().is_some_and(|spans| {
            spans.iter().any(|s| {
                s["route"] == "/zhugeleida/xiaochengxu/chat/send_msg/{id}"
                    && s["principal"] == "customer"
                    && s["principal_id"] == cid
            })
        })
    });
    assert!(
        send.is_some(),
        "no line in the span of the customer's send_msg:\n{text}"
    );
}

/// POSTs a form and returns the JSON answer.
async fn post<K: serde::Serialize, V: serde::Serialize>(
    http: &reqwest::Client,
    url: String,
    form: impl AsRef<[(K, V)]>,
) -> Value {
    let resp = http.post(url).form(form.as_ref()).send().await.unwrap();
    resp.json().await.unwrap()
}

fn lines_with(lines: &[Value], needle: &str) -> String {
    lines
        .iter()
        .map(Value::to_string)
        .filter(|l| l.contains(needle))
        .collect::<Vec<_>>()
        .join("\n")
}

#[actix_web::test]
async fn malformed_requests_are_summarised_at_warn_not_logged_as_errors() {
    let radar = RadarProcess::start(&[
        ("RADAR__LOG__FORMAT", "json"),
        ("RADAR__LOG__FILTER", "info"),
    ])
    .await;
    for _ in 0..300 {
        let mut tcp = tokio::net::TcpStream::connect(radar.address().trim_start_matches("http://"))
            .await
            .unwrap();
        tcp.write_all(b"GET /\x01\x02 HTTP/9.9\r\nBad Header\r\n\r\n")
            .await
            .unwrap();
        let mut sink = Vec::new();
        let _ = tokio::time::timeout(
            Duration::from_secs(2),
            tokio::io::AsyncReadExt::read_to_end(&mut tcp, &mut sink),
        )
        .await;
    }
    let metrics = reqwest::get(format!("{}/metrics", radar.address()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines = radar.stop_and_read_json_lines().await;
    let errors: Vec<&Value> = lines
        .iter()
        .filter(|l| {
            l["level"] == "ERROR" && l["target"].as_str().unwrap().starts_with("actix_http")
        })
        .collect();
    assert!(errors.is_empty(), "ERROR lines: {errors:?}");
    let summaries = lines
        .iter()
        .filter(|l| l["target"] == "radar::client_errors")
        .count();
    assert!(
        (1..=2).contains(&summaries),
        "{summaries} client-error lines:\n{lines:?}"
    );
    let counted = metrics
        .lines()
        .find(|l| l.starts_with("radar_http_client_errors_total "))
        .unwrap();
    let counted: f64 = counted.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(counted >= 300.0, "{counted}");
}

#[actix_web::test]
async fn text_logs_written_to_a_file_carry_no_colour_codes() {
    let radar = RadarProcess::start(&[("RADAR__LOG__FORMAT", "text")]).await;
    let text = radar.stop_and_read().await;
    assert!(text.contains("Radar listening on"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "ANSI escape codes in a file:\n{text:?}"
    );
}

#[actix_web::test]
async fn the_health_and_metrics_endpoints_answer_as_the_readme_shows() {
    let radar = RadarProcess::start(&[]).await;
    let get = |path: &'static str| {
        let url = format!("{}{path}", radar.address());
        async move {
            let resp = reqwest::get(url).await.unwrap();
            (resp.status().as_u16(), resp.text().await.unwrap())
        }
    };
    assert_eq!(
        get("/healthz").await,
        (200, r#"{"status":"ok"}"#.to_owned())
    );
    assert_eq!(
        get("/readyz").await,
        (200, r#"{"status":"ready"}"#.to_owned())
    );
    let (status, metrics) = get("/metrics").await;
    assert_eq!(status, 200);
    assert!(
        metrics.contains(r#"radar_http_requests_total{route="/readyz",code="200"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains("radar_bus_connected 1"), "{metrics}");
    radar.stop_and_read().await;
}
