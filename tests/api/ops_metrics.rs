//! `/metrics` (issue 12 item 1): Prometheus text with every planned metric described, HTTP requests
//! labelled by route pattern (never the raw path), pool gauges, and a separate listener when
//! `metrics.bind` names one. The recorder is process-wide, so assertions look for series this test
//! caused, never for exact totals.

use std::time::Duration;

use crate::helpers::{spawn_app, test_settings, TestApp};
use radar::telemetry::metrics::names;
use wiremock::MockServer;

async fn scrape(app: &TestApp) -> String {
    let (status, body) = app.get_raw("/metrics", "").await;
    assert_eq!(status, 200);
    body
}

/// The value of the series whose line starts with `name{` and holds every `label`.
fn series(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")))
        .find(|l| labels.iter().all(|label| l.contains(label)))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
}

#[actix_web::test]
async fn requests_are_counted_by_route_pattern_never_by_raw_path() {
    let app = spawn_app().await;
    for id in [98765, 98766] {
        let path = format!("/zhugeleida/xiaochengxu/chat/getmsg/{id}");
        app.get(&path, "").await;
    }
    let (status, _) = app.get_raw("/no/such/path/4242", "").await;
    assert_eq!(status, 404);

    let text = scrape(&app).await;
    let getmsg = r#"route="/zhugeleida/xiaochengxu/chat/getmsg/{id}""#;
    let count = series(&text, names::HTTP_REQUESTS, &[getmsg, r#"code="200""#]);
    assert!(count.is_some_and(|n| n >= 2.0), "{text}");
    assert!(series(
        &text,
        names::HTTP_REQUESTS,
        &[r#"route="unmatched""#, r#"code="404""#]
    )
    .is_some());
    let bucket = format!("{}_bucket", names::HTTP_DURATION);
    assert!(series(&text, &bucket, &[getmsg, r#"le="10""#]).is_some_and(|n| n >= 2.0));
    // Raw paths never become labels. Only names and labels are searched: the values are the
    // whole test process's (every test shares the recorder) and may hold any digits.
    for raw in ["98765", "98766", "4242"] {
        let labelled = text.lines().filter(|l| !l.starts_with('#')).find(|l| {
            l.rsplit_once(' ')
                .is_some_and(|(series, _)| series.contains(raw))
        });
        assert!(
            labelled.is_none(),
            "raw path segment {raw} in /metrics: {labelled:?}"
        );
    }
}

#[actix_web::test]
async fn every_planned_counter_and_gauge_is_described_from_the_start() {
    let app = spawn_app().await;
    let text = scrape(&app).await;
    for name in [
        names::LOGIN_FAILURES,
        names::LOGIN_RATE_LIMITED,
        names::HTTP_REQUESTS,
        names::DB_POOL_IN_USE,
        names::DB_POOL_WAITING,
        names::WS_SESSIONS,
        names::WS_FRAMES_IN,
        names::WS_FRAMES_OUT,
        names::CHAT_PERSISTED,
        names::CHAT_ADMISSION_REFUSALS,
        names::EVENT_LOOP_LAG,
        names::BUS_PUBLISHES,
        names::BUS_RECEIVES,
        names::BUS_RECONNECTS,
        names::BUS_SUBSCRIPTIONS,
        names::WS_SLOW_CONSUMER_CLOSES,
        names::BUS_CONNECTED,
    ] {
        assert!(
            text.contains(&format!("# HELP {name} ")),
            "no help for {name}"
        );
        assert!(text.contains(&format!("\n{name}")), "no series of {name}");
    }
    assert!(series(&text, names::WS_SESSIONS, &[r#"kind="radar_badge""#]).is_some());
    assert!(series(&text, names::LOGIN_FAILURES, &[r#"kind="admin""#]).is_some());
    assert!(series(&text, names::CHAT_ADMISSION_REFUSALS, &[r#"cause="lag""#]).is_some());
    assert!(text.contains("# TYPE radar_http_request_duration_seconds histogram"));
    assert!(
        text.contains(&format!("\n{} 1\n", names::BUS_CONNECTED)),
        "{text}"
    );
}

#[actix_web::test]
async fn a_request_id_is_echoed_when_plain_and_made_up_otherwise() {
    let app = spawn_app().await;
    let id_of = |given: &'static str| {
        let req = app.http.get(format!("{}/healthz", app.address));
        async move {
            let req = if given.is_empty() {
                req
            } else {
                req.header("x-request-id", given)
            };
            let resp = req.send().await.unwrap();
            resp.headers()["x-request-id"].to_str().unwrap().to_owned()
        }
    };
    assert_eq!(id_of("lb-7f3a.01_x").await, "lb-7f3a.01_x");
    for bad in ["", "has space", "é", "<script>"] {
        let made = id_of(bad).await;
        assert_eq!(made.len(), 32, "{bad:?} → {made}");
        assert!(made.bytes().all(|b| b.is_ascii_hexdigit()), "{made}");
    }
}

#[actix_web::test]
async fn a_separate_metrics_bind_serves_metrics_there_and_not_on_the_main_port() {
    let wechat = MockServer::start().await;
    let mut settings = test_settings(&wechat).await;
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let metrics_addr = free.local_addr().unwrap();
    drop(free);
    settings.metrics.bind = metrics_addr.to_string();
    let app = radar::startup::Application::build(settings).await.unwrap();
    let main = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    let http = reqwest::Client::new();

    let on_main = http.get(format!("{main}/metrics")).send().await.unwrap();
    assert_eq!(on_main.status(), 404);
    assert_eq!(
        http.get(format!("{main}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let mut text = String::new();
    for _ in 0..50 {
        if let Ok(resp) = http
            .get(format!("http://{metrics_addr}/metrics"))
            .send()
            .await
        {
            text = resp.text().await.unwrap();
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        text.contains(&format!("# HELP {} ", names::DB_POOL_IN_USE)),
        "{text}"
    );
}

#[actix_web::test]
async fn failed_radar_and_admin_logins_are_counted_by_kind() {
    let app = spawn_app().await;
    let failures = |text: &str, kind: &str| {
        series(text, names::LOGIN_FAILURES, &[&format!(r#"kind="{kind}""#)]).unwrap()
    };
    let before = scrape(&app).await;
    let form = [("login_user", "nobody"), ("password", "wrong-password")];
    app.post_form("/zhugeleida/qiyeweixin/login", "", &form)
        .await;
    let form = [("username", "nobody"), ("password", "wrong-password")];
    app.post_form("/zhugeleida/admin/login", "", &form).await;
    let after = scrape(&app).await;
    for kind in ["radar", "admin"] {
        assert!(
            failures(&after, kind) >= failures(&before, kind) + 1.0,
            "{kind}"
        );
    }
}
