//! One access token per app for the whole cluster (issue 13 item 1): two nodes on one database
//! against the fake WeChat server. One fetch for many concurrent calls; a refused token refreshed
//! once with `force_refresh`; WeChat down → a clear error and no retry storm.

use std::time::Duration;

use futures_util::future::join_all;
use radar::wechat::WechatError;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use wiremock::matchers::{body_partial_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{spawn_with, test_settings, TestApp};

const APPID: &str = "wx-token-test-app";

fn secret() -> SecretString {
    SecretString::from("token-test-secret")
}

/// Two nodes on one database, both aimed at one fake WeChat (the first node's `wechat`).
async fn two_nodes(retry_after_ms: u64) -> (TestApp, TestApp) {
    let wechat = MockServer::start().await;
    let mut settings = test_settings(&wechat).await;
    settings.wechat.token_retry_after_ms = retry_after_ms;
    let a = spawn_with(settings.clone(), wechat).await;
    let b = spawn_with(settings, MockServer::start().await).await;
    (a, b)
}

fn token_answer(token: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(
        json!({"access_token": token, "expires_in": 7200}).to_string(),
        "application/json",
    )
}

/// `n` concurrent token requests on each node.
async fn many_gets(a: &TestApp, b: &TestApp, n: usize) -> Vec<Result<SecretString, WechatError>> {
    let secret = secret();
    let calls = (0..n).flat_map(|_| {
        [
            a.state.access_tokens.get(APPID, &secret),
            b.state.access_tokens.get(APPID, &secret),
        ]
    });
    join_all(calls).await
}

/// A mini-program code through the node's shared token (refreshed once if refused).
async fn code_with_shared_token(node: &TestApp) -> Result<Vec<u8>, WechatError> {
    node.state
        .access_tokens
        .call(APPID, &secret(), |token| async move {
            node.state
                .wechat
                .get_wxacode_unlimit(&token, "u=1&p=2", "pages/index/index")
                .await
        })
        .await
}

#[actix_web::test]
async fn many_concurrent_calls_on_two_nodes_fetch_the_token_once() {
    let (a, b) = two_nodes(10_000).await; // Arrange
    Mock::given(method("POST"))
        .and(path("/cgi-bin/stable_token"))
        .and(body_partial_json(
            json!({"appid": APPID, "secret": "token-test-secret", "force_refresh": false}),
        ))
        .respond_with(token_answer("TOKEN-1").set_delay(Duration::from_millis(300)))
        .expect(1)
        .mount(&a.wechat)
        .await;

    let results = many_gets(&a, &b, 20).await; // Act

    assert_eq!(results.len(), 40); // Assert
    for r in results {
        assert_eq!(r.expect("token").expose_secret(), "TOKEN-1");
    }
    // Later calls are served from the nodes' copies and the shared row.
    let again = many_gets(&a, &b, 5).await;
    assert!(again.iter().all(|r| r.is_ok()));
    a.wechat.verify().await;
    let stored: String = a
        .client()
        .await
        .query_one(
            "SELECT access_token FROM wechat_access_tokens WHERE appid = $1",
            &[&APPID],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, "TOKEN-1");
}

#[actix_web::test]
async fn a_refused_token_is_refreshed_once_with_force_refresh_for_every_node() {
    let (a, b) = two_nodes(10_000).await;
    let wechat = &a.wechat;
    Mock::given(path("/cgi-bin/stable_token"))
        .and(body_partial_json(json!({"force_refresh": false})))
        .respond_with(token_answer("OLD"))
        .expect(1)
        .mount(wechat)
        .await;
    Mock::given(path("/cgi-bin/stable_token"))
        .and(body_partial_json(json!({"force_refresh": true})))
        .respond_with(token_answer("NEW"))
        .expect(1)
        .mount(wechat)
        .await;
    let refused = json!({"errcode": 40001, "errmsg": "invalid credential"}).to_string();
    Mock::given(path("/wxa/getwxacodeunlimit"))
        .and(query_param("access_token", "OLD"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(refused, "application/json"))
        .expect(2) // once per node
        .mount(wechat)
        .await;
    Mock::given(path("/wxa/getwxacodeunlimit"))
        .and(query_param("access_token", "NEW"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(b"\x89PNG".to_vec(), "image/png"))
        .expect(2)
        .mount(wechat)
        .await;
    // Both nodes hold OLD.
    assert_eq!(many_gets(&a, &b, 1).await.len(), 2);

    for node in [&a, &b] {
        let code = code_with_shared_token(node).await;
        assert_eq!(code.expect("image after one refresh"), b"\x89PNG");
    }

    // The second node found NEW in the shared row: one forced fetch in all.
    wechat.verify().await;
}

#[actix_web::test]
async fn a_token_refused_twice_is_an_error_not_a_loop() {
    let (a, _b) = two_nodes(10_000).await;
    Mock::given(path("/cgi-bin/stable_token"))
        .respond_with(token_answer("T"))
        .expect(2) // the first fetch and the forced one
        .mount(&a.wechat)
        .await;
    let refused = json!({"errcode": 42001, "errmsg": "access_token expired"}).to_string();
    Mock::given(path("/wxa/getwxacodeunlimit"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(refused, "application/json"))
        .expect(2)
        .mount(&a.wechat)
        .await;

    let err = code_with_shared_token(&a).await.expect_err("refused twice");

    assert!(
        matches!(err, WechatError::Api { errcode: 42001, .. }),
        "{err:?}"
    );
    a.wechat.verify().await;
}

#[actix_web::test]
async fn wechat_down_gives_a_clear_error_on_every_node_without_a_retry_storm() {
    let (a, b) = two_nodes(800).await;
    Mock::given(path("/cgi-bin/stable_token"))
        .respond_with(ResponseTemplate::new(503).set_delay(Duration::from_millis(200)))
        .expect(1)
        .mount(&a.wechat)
        .await;

    let results = many_gets(&a, &b, 10).await;

    let errors: Vec<WechatError> = results.into_iter().map(|r| r.expect_err("down")).collect();
    assert_eq!(errors.len(), 20);
    let unavailable = errors
        .iter()
        .filter(|e| matches!(e, WechatError::Unavailable { .. }))
        .count();
    assert_eq!(
        unavailable, 19,
        "one fetch failed, the others were told at once: {errors:?}"
    );
    let text = errors
        .iter()
        .find(|e| matches!(e, WechatError::Unavailable { .. }))
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(text.contains("WeChat unavailable"), "{text}");
    assert!(text.contains("HTTP"), "the waiting nodes learn why: {text}");
    assert!(!text.contains("token-test-secret"));
    a.wechat.verify().await;

    // After the negative-cache period a node asks again, and WeChat is back.
    a.wechat.reset().await;
    Mock::given(path("/cgi-bin/stable_token"))
        .respond_with(token_answer("BACK"))
        .expect(1)
        .mount(&a.wechat)
        .await;
    tokio::time::sleep(Duration::from_millis(900)).await;
    let back = many_gets(&a, &b, 3).await;
    assert!(back
        .iter()
        .all(|r| r.as_ref().is_ok_and(|t| t.expose_secret() == "BACK")));
}
