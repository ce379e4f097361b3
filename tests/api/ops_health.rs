//! `/healthz` and `/readyz` (issue 12 item 2): ready on a healthy node; 503 with the reason within a
//! second when the database is gone or hangs, when Redis is gone, or when migrations are pending.

use std::time::{Duration, Instant};

use crate::helpers::{spawn_app, spawn_with, test_settings, TestApp};
use crate::private_redis::PrivateRedis;
use crate::tcp_proxy::TcpProxy;
use serde_json::Value;
use wiremock::MockServer;

/// GET /readyz: status, body, and how long the answer took.
async fn readyz(app: &TestApp) -> (u16, Value, Duration) {
    let started = Instant::now();
    let resp = app
        .http
        .get(format!("{}/readyz", app.address))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("readyz answers");
    let status = resp.status().as_u16();
    let body = resp.json().await.expect("readyz JSON");
    (status, body, started.elapsed())
}

/// Polls /readyz until it answers `status` (each answer within a second), for up to `within`.
async fn wait_for(app: &TestApp, status: u16, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let (got, body, took) = readyz(app).await;
        assert!(took < Duration::from_secs(1), "/readyz took {took:?}");
        if got == status {
            return body;
        }
        assert!(Instant::now() < deadline, "/readyz still {got}: {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A node whose database connections go through a proxy the test can cut.
async fn spawn_behind_proxy() -> (TestApp, TcpProxy) {
    let wechat = MockServer::start().await;
    let mut settings = test_settings(&wechat).await;
    // postgres://user@host:port/db → the proxy in place of host:port.
    let url = settings.database.url.clone();
    let (user, rest) = url.split_once('@').expect("url with a host");
    let (host_port, db) = rest.split_once('/').expect("url with a database");
    let proxy = TcpProxy::start(host_port.to_owned()).await;
    settings.database.url = format!("{user}@127.0.0.1:{}/{db}", proxy.port());
    (spawn_with(settings, wechat).await, proxy)
}

#[actix_web::test]
async fn a_healthy_node_is_up_and_ready() {
    let app = spawn_app().await;
    let (status, body) = app.get_raw("/healthz", "").await;
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    let (status, body, _) = readyz(&app).await;
    assert_eq!(
        (status, body),
        (200, serde_json::json!({"status": "ready"}))
    );
}

#[actix_web::test]
async fn a_node_whose_database_is_gone_is_not_ready_within_a_second() {
    let (app, proxy) = spawn_behind_proxy().await;
    wait_for(&app, 200, Duration::from_secs(5)).await;
    proxy.stop();
    let body = wait_for(&app, 503, Duration::from_secs(1)).await;
    assert_eq!(body["status"], "not ready");
    assert_eq!(body["problems"][0], "database: unreachable", "{body}");
    // The process itself is still up.
    assert_eq!(app.get_raw("/healthz", "").await.0, 200);
}

#[actix_web::test]
async fn a_node_whose_database_hangs_answers_not_ready_within_a_second() {
    let (app, proxy) = spawn_behind_proxy().await;
    wait_for(&app, 200, Duration::from_secs(5)).await;
    proxy.freeze();
    let (status, body, took) = readyz(&app).await;
    assert_eq!(status, 503, "{body}");
    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert!(
        body["problems"][0]
            .as_str()
            .unwrap()
            .starts_with("database: no answer within"),
        "{body}"
    );
}

#[actix_web::test]
async fn a_node_whose_redis_stops_is_not_ready_until_it_is_back() {
    let mut redis = PrivateRedis::new();
    redis.start().await;
    let wechat = MockServer::start().await;
    let mut settings = test_settings(&wechat).await;
    settings.redis.url = redis.url();
    let app = spawn_with(settings, wechat).await;
    wait_for(&app, 200, Duration::from_secs(5)).await;

    redis.stop();
    let body = wait_for(&app, 503, Duration::from_secs(1)).await;
    assert_eq!(
        body["problems"],
        serde_json::json!(["bus: not connected to Redis"])
    );

    redis.start().await;
    wait_for(&app, 200, Duration::from_secs(10)).await;
}

#[actix_web::test]
async fn a_database_missing_the_latest_migration_is_not_ready() {
    let app = spawn_app().await;
    app.client()
        .await
        .execute(
            "DELETE FROM refinery_schema_history
             WHERE version = (SELECT max(version) FROM refinery_schema_history)",
            &[],
        )
        .await
        .unwrap();
    let (status, body, _) = readyz(&app).await;
    assert_eq!(status, 503);
    let problem = body["problems"][0].as_str().unwrap();
    assert!(
        problem.starts_with("database: migrations pending"),
        "{problem}"
    );
    assert!(problem.contains("radar migrate"), "{problem}");
}

#[actix_web::test]
async fn several_nodes_migrating_one_fresh_database_at_once_all_succeed() {
    let url = crate::helpers::create_database().await;
    let runs = (0..4).map(|_| {
        let url = url.clone();
        async move {
            let pool = radar::store::pool(&url, 1).unwrap();
            let mut client = pool.get().await.unwrap();
            radar::store::migrate(&mut client).await
        }
    });
    let results = futures_util::future::join_all(runs).await;
    let applied: Vec<usize> = results
        .into_iter()
        .map(|r| r.expect("every node's migration run succeeds"))
        .collect();
    // One run applied everything; the others waited and found nothing pending.
    assert_eq!(applied.iter().filter(|n| **n > 0).count(), 1, "{applied:?}");
}
