//! A bounded, seeded fuzz test over the whole route table (`radar::http::routes`): random and
//! mutated parameters and bodies (form, JSON, raw bytes), unicode, NUL, lone surrogates, huge
//! numbers, long texts, hostile path segments; and random frames on every socket. It fails on any
//! HTTP 5xx, a non-envelope answer from an envelope route, a dropped connection, a socket closed
//! with a server error (1011) or a frame with a 5xx code, and when the node stops answering.
//!
//! `RADAR_FUZZ_CASES` HTTP cases (default 5000; sockets get a tenth as many frames),
//! `RADAR_FUZZ_SEED` (default 1). A failure names the seed and the case to replay it.

use futures_util::{SinkExt, StreamExt};
use radar::http::routes::{Answer, In, Method, Param, Route, Ty};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

use crate::auth_matrix::served;
use crate::helpers::{spawn_app, Principal, TestApp};

fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Texts that have broken parsers before.
const NASTY: &[&str] = &[
    "",
    " ",
    "0",
    "-1",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "0x10",
    "1.5",
    "你好",
    "😀👍🏽",
    "\u{202e}abc",
    "a\u{0}b",
    "\u{0}",
    "%00",
    "null",
    "true",
    "[]",
    "{}",
    "[1,2,\"3\"]",
    "{\"info_type\":1,\"msg\":\"\\u0000\"}",
    "{\"a\":\"\\ud800\"}",
    "{",
    "'; DROP TABLE customers; --",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "2026-02-30",
    "1970-01-01",
];

/// The demo principals and ids of the fuzzed node.
struct World {
    customer: Principal,
    radar: Principal,
    admin: Principal,
    ids: Vec<i64>,
}

impl World {
    fn principal(&self, family: radar::auth::Family) -> &Principal {
        use radar::auth::Family;
        match family {
            Family::Customer => &self.customer,
            Family::Radar => &self.radar,
            Family::Admin => &self.admin,
        }
    }
}

/// A value for `param`: a real id, a nasty text, a random number or text, a long run of one
/// character (up to `long` characters), or a plausible value.
fn value_up_to(rng: &mut StdRng, world: &World, param: Option<&Param>, long: usize) -> String {
    match rng.gen_range(0..20) {
        0..=7 => match param.map(|p| p.ty) {
            Some(Ty::Int) | None => world.ids[rng.gen_range(0..world.ids.len())].to_string(),
            Some(Ty::Date) => "2026-12-02".to_owned(),
            Some(Ty::Json) => json!([world.ids[0], {"k": "v"}]).to_string(),
            Some(Ty::Text) => "正常文本".to_owned(),
        },
        8..=11 => NASTY[rng.gen_range(0..NASTY.len())].to_owned(),
        12 | 13 => rng.gen::<i64>().to_string(),
        14 | 15 => rng.gen_range(-3..100_000).to_string(),
        16 => {
            let len = [1, 10, 200, 5000, 70_000][rng.gen_range(0..5)].min(long);
            let c = ['a', '字', '😀', '\u{0}', '\''][rng.gen_range(0..5)];
            std::iter::repeat_n(c, len).collect()
        }
        _ => (0..rng.gen_range(1..20))
            .map(|_| char::from_u32(rng.gen_range(0..0x3000)).unwrap_or('?'))
            .collect(),
    }
}

/// A value short enough for a URL (reqwest refuses URLs over 64 KiB).
fn value(rng: &mut StdRng, world: &World, param: Option<&Param>) -> String {
    value_up_to(rng, world, param, 1000)
}

/// Percent-encodes `s`, or sometimes leaves raw bytes and invalid escapes in.
fn encode(rng: &mut StdRng, s: &str) -> String {
    match rng.gen_range(0..40) {
        0 => "%ED%A0%80".to_owned(), // a lone surrogate in CESU-8: invalid UTF-8
        1 => "%FF%FE%00".to_owned(),
        2 => "%zz%".to_owned(),
        _ => {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        }
    }
}

/// A request for `route`: URL, body, content type.
fn request(
    rng: &mut StdRng,
    world: &World,
    app: &TestApp,
    route: &Route,
) -> (String, Vec<u8>, &'static str) {
    let mut path = String::new();
    let mut depth = 0;
    let mut params: Vec<&Param> = route.params.iter().collect();
    for c in route.path.chars() {
        match c {
            '{' => {
                depth += 1;
                let v = value(
                    rng,
                    world,
                    params.iter().find(|p| p.at == In::Path).copied(),
                );
                path.push_str(&encode(rng, &v));
            }
            '}' => depth -= 1,
            _ if depth > 0 => {}
            _ => path.push(c),
        }
    }
    params.retain(|p| p.at != In::Path);
    let mut query: Vec<(String, String)> = Vec::new();
    let mut body: Vec<(String, String)> = Vec::new();
    for p in params {
        if rng.gen_bool(0.8) {
            match p.at {
                In::Body => {
                    body.push((p.name.to_owned(), value_up_to(rng, world, Some(p), 70_000)))
                }
                _ => query.push((p.name.to_owned(), value(rng, world, Some(p)))),
            }
        }
    }
    if rng.gen_bool(0.2) {
        query.push((value(rng, world, None), value(rng, world, None)));
    }
    if let Some(family) = route.signed {
        if rng.gen_bool(0.85) {
            let who = world.principal(family);
            query.extend(who.sign().split('&').filter_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                Some((k.to_owned(), v.to_owned()))
            }));
        }
    }
    let qs: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{}={}", encode(rng, k), encode(rng, v)))
        .collect();
    let url = format!("{}{path}?{}", app.address, qs.join("&"));
    let (bytes, content_type) = match rng.gen_range(0..10) {
        0..=5 => {
            let form: Vec<String> = body
                .iter()
                .map(|(k, v)| format!("{}={}", encode(rng, k), encode(rng, v)))
                .collect();
            (
                form.join("&").into_bytes(),
                "application/x-www-form-urlencoded",
            )
        }
        6..=8 => {
            // JSON text written by hand, so lone surrogate escapes and huge numbers survive.
            let fields: Vec<String> = body
                .iter()
                .map(|(k, v)| {
                    let v = match rng.gen_range(0..6) {
                        0 => "\"\\ud800\"".to_owned(),
                        1 => "1e400".to_owned(),
                        2 => "{\"nested\":[null,\"\\u0000\"]}".to_owned(),
                        3 => v
                            .parse::<i64>()
                            .map_or_else(|_| json!(v).to_string(), |n| n.to_string()),
                        _ => json!(v).to_string(),
                    };
                    format!("{}:{v}", json!(k))
                })
                .collect();
            let text = match rng.gen_range(0..8) {
                0 => "[1,2]".to_owned(),
                1 => "{\"a\":".to_owned(),
                _ => format!("{{{}}}", fields.join(",")),
            };
            (text.into_bytes(), "application/json")
        }
        _ => {
            let len = rng.gen_range(0..300);
            (
                (0..len).map(|_| rng.gen()).collect(),
                "application/octet-stream",
            )
        }
    };
    (url, bytes, content_type)
}

/// What is wrong with an answer, if anything.
fn judge(route: &Route, status: u16, content_type: &str, body: &[u8]) -> Option<String> {
    if status >= 500 {
        return Some(format!("HTTP {status}: {}", String::from_utf8_lossy(body)));
    }
    let envelope = || -> Option<String> {
        let v: Value = serde_json::from_slice(body).ok()?;
        let o = v.as_object()?;
        let keys = ["code", "msg", "data", "note"];
        (o.len() == 4 && keys.iter().all(|k| o.contains_key(*k)) && v["code"].is_u64())
            .then(String::new)
    };
    match route.answer {
        // 404: a path segment that matches no route (e.g. empty) gets the `非法请求` envelope.
        Answer::Envelope if matches!(status, 200 | 404 | 413) => match envelope() {
            Some(_) => None,
            None => Some(format!(
                "not the envelope: {}",
                String::from_utf8_lossy(body)
            )),
        },
        Answer::Envelope => Some(format!("HTTP {status} from an envelope route")),
        Answer::Html if status == 200 && !content_type.starts_with("text/html") => envelope()
            .is_none()
            .then(|| "neither the page nor the envelope".to_owned()),
        _ => None,
    }
}

async fn seed_world(app: &TestApp) -> World {
    let company = app.seed_company("模糊公司").await;
    let radar = app.seed_radar_user(company, "模糊").await;
    let customer = app.seed_customer(company, Some("模糊客户")).await;
    app.seed_binding(radar.id, customer.id).await;
    let admin = app.seed_admin(company, 2).await;
    let ids = vec![company, radar.id, customer.id, admin.id, 0, -1];
    World {
        customer,
        radar,
        admin,
        ids,
    }
}

#[actix_web::test]
async fn fuzzed_http_requests_never_get_a_5xx_or_an_answer_off_the_envelope() {
    let seed = knob("RADAR_FUZZ_SEED", 1);
    let cases = knob("RADAR_FUZZ_CASES", 5000);
    let app = spawn_app().await;
    let world = seed_world(&app).await;
    let routes: Vec<&Route> = served(&app)
        .into_iter()
        .filter(|r| matches!(r.answer, Answer::Envelope | Answer::Html))
        .collect();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut failures = Vec::new();
    let mut codes = std::collections::BTreeMap::<String, u32>::new();
    let started = std::time::Instant::now();
    for case in 0..cases {
        let route = routes[rng.gen_range(0..routes.len())];
        let (url, body, content_type) = request(&mut rng, &world, &app, route);
        let method = match (route.method, rng.gen_range(0..20)) {
            (_, 0) => reqwest::Method::PUT,
            (Method::Get, _) => reqwest::Method::GET,
            (Method::Post, _) => reqwest::Method::POST,
        };
        let mut req = app.http.request(method.clone(), &url);
        if method != reqwest::Method::GET {
            req = req.header("content-type", content_type).body(body.clone());
        }
        let verdict = match req.send().await {
            Err(e) => Some(format!("no answer: {e}")),
            Ok(resp) => {
                let status = resp.status().as_u16();
                let ct = resp
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                let bytes = resp.bytes().await.unwrap_or_default();
                let code = serde_json::from_slice::<Value>(&bytes)
                    .map_or(Value::Null, |v| v["code"].clone());
                *codes.entry(format!("{status}/{code}")).or_default() += 1;
                judge(route, status, &ct, &bytes)
            }
        };
        if let Some(why) = verdict {
            let shown: String = String::from_utf8_lossy(&body).chars().take(300).collect();
            let url: String = url.chars().take(300).collect();
            failures.push(format!(
                "case {case}: {method} {url} body {shown:?} → {why}"
            ));
            if failures.len() >= 20 {
                break;
            }
        }
    }
    eprintln!(
        "fuzz: {cases} HTTP cases, seed {seed}, in {:?}; answers by HTTP status/code: {codes:?}",
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "seed {seed}: {} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let (status, _) = app.get_raw("/healthz", "").await;
    assert_eq!(status, 200, "the node still answers");
}

/// A random frame for a socket of `family`, signed by `who` most of the time.
fn frame(rng: &mut StdRng, world: &World, who: &Principal) -> Message {
    let types = [
        "register",
        "closed",
        "lived",
        "send",
        "query_num",
        "msg",
        "",
        "\u{0}",
    ];
    let mut f = json!({});
    if rng.gen_bool(0.9) {
        f["type"] = json!(types[rng.gen_range(0..types.len())]);
    }
    for key in [
        "u_id",
        "customer_id",
        "uid",
        "current_page",
        "length",
        "send_type",
        "since_id",
        "client_msg_id",
    ] {
        if rng.gen_bool(0.5) {
            f[key] = match rng.gen_range(0..5) {
                0 => json!(value(rng, world, None)),
                1 => json!(i64::MAX),
                2 => json!(rng.gen::<i64>()),
                _ => json!(world.ids[rng.gen_range(0..world.ids.len())]),
            };
        }
    }
    if rng.gen_bool(0.5) {
        f["content"] = json!(value(rng, world, None));
    }
    let signed = crate::ws_client::signed(who, f);
    let text = signed.to_string();
    match rng.gen_range(0..12) {
        0 => Message::Binary((0..rng.gen_range(0..64)).map(|_| rng.gen()).collect()),
        1 => Message::Text(text.replace("\"content\":\"", "\"content\":\"\\ud800\\u0000")),
        2 => Message::Text(text.replace('}', ",\"big\":1e400}")),
        3 => Message::Text(NASTY[rng.gen_range(0..NASTY.len())].to_owned()),
        4 => Message::Text(json!({"type": "register"}).to_string()),
        _ => Message::Text(text),
    }
}

#[actix_web::test]
async fn fuzzed_socket_frames_never_close_a_socket_with_a_server_error() {
    let seed = knob("RADAR_FUZZ_SEED", 1);
    let frames = (knob("RADAR_FUZZ_CASES", 5000) / 10).max(20);
    let app = spawn_app().await;
    let world = seed_world(&app).await;
    let sockets: Vec<&Route> = served(&app)
        .into_iter()
        .filter(|r| r.answer == Answer::Socket)
        .collect();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut failures = Vec::new();
    let url_of = |path: &str| format!("{}{path}", app.address.replacen("http://", "ws://", 1));
    let mut sent = 0;
    while sent < frames {
        let route = sockets[rng.gen_range(0..sockets.len())];
        let who = world.principal(route.signed.expect("signed frames"));
        let (mut ws, _) = tokio_tungstenite::connect_async(url_of(route.path))
            .await
            .expect("websocket connects");
        for _ in 0..rng.gen_range(1..12) {
            sent += 1;
            let msg = frame(&mut rng, &world, who);
            let shown = format!("{msg:?}").chars().take(200).collect::<String>();
            if ws.send(msg).await.is_err() {
                break; // closed by the server after an earlier frame; judged below
            }
            // Read what the frame produced until the socket is quiet for a moment.
            loop {
                let next =
                    tokio::time::timeout(std::time::Duration::from_millis(150), ws.next()).await;
                match next {
                    Err(_) | Ok(None) => break,
                    Ok(Some(Err(e))) => {
                        failures.push(format!(
                            "{}: after {shown}: connection error {e}",
                            route.path
                        ));
                        break;
                    }
                    Ok(Some(Ok(Message::Close(close)))) => {
                        if close.as_ref().is_some_and(|c| c.code == CloseCode::Error) {
                            failures.push(format!(
                                "{}: after {shown}: closed 1011 {close:?}",
                                route.path
                            ));
                        }
                        break;
                    }
                    Ok(Some(Ok(Message::Text(t)))) => {
                        let v: Value = serde_json::from_str(&t).unwrap_or(Value::Null);
                        if v["code"].as_u64().is_none_or(|c| c >= 500) {
                            failures.push(format!("{}: after {shown}: frame {t}", route.path));
                        }
                    }
                    Ok(Some(Ok(_))) => {}
                }
            }
        }
        let _ = ws.close(None).await;
        if failures.len() >= 20 {
            break;
        }
    }
    eprintln!("fuzz: {sent} socket frames, seed {seed}");
    assert!(failures.is_empty(), "seed {seed}:\n{}", failures.join("\n"));
    let (status, _) = app.get_raw("/healthz", "").await;
    assert_eq!(status, 200, "the node still answers");
}
