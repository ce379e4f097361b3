//! The Live-mode `wechat::Client` against a wiremock server standing in for api.weixin.qq.com,
//! answering in the shapes of spec WECHAT.md §2; plus the Dev-mode answers.

use std::time::Duration;

use radar::config::{WechatMode, WechatSettings};
use radar::wechat::{Client, WechatError};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const APPID: &str = "wx4f4bc4dec97d474b";
const SECRET: &str = "s3cr3t-app-secret-value";

fn settings(mode: WechatMode, api_base: String, timeout_ms: u64) -> WechatSettings {
    WechatSettings {
        mode,
        api_base,
        timeout_ms,
        token_retry_after_ms: 1_000,
    }
}

fn live_client(server: &MockServer) -> Client {
    // A trailing slash in the configured base must not produce `//sns/...`.
    let base = format!("{}/", server.uri());
    Client::new(&settings(WechatMode::Live, base, 2_000)).expect("client builds")
}

fn secret() -> SecretString {
    SecretString::from(SECRET)
}

/// Mounts a code2session answer for `js_code` (WeChat labels its JSON `text/plain`).
async fn mount_code2session(server: &MockServer, js_code: &str, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path("/sns/jscode2session"))
        .and(query_param("appid", APPID))
        .and(query_param("secret", SECRET))
        .and(query_param("js_code", js_code))
        .and(query_param("grant_type", "authorization_code"))
        .respond_with(response)
        .expect(1)
        .mount(server)
        .await;
}

fn wechat_json(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_string(), "text/plain")
}

/// Asserts that neither the error nor its cause chain mentions the app secret.
fn assert_no_secret(err: &WechatError) {
    let mut text = format!("{err} {err:?}");
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    assert!(!text.contains(SECRET), "error leaks the secret: {text}");
}

#[tokio::test]
async fn code2session_returns_openid_session_key_and_unionid() {
    let server = MockServer::start().await; // Arrange
    let body =
        json!({"openid": "oABC", "session_key": "tiihtNczf5v6AKRyjwEUhQ==", "unionid": "uXYZ"});
    mount_code2session(&server, "code-1", wechat_json(body)).await;
    let client = live_client(&server);

    let session = client.code2session(APPID, &secret(), "code-1").await; // Act

    let session = session.expect("code2session succeeds"); // Assert
    assert_eq!(session.openid, "oABC");
    assert_eq!(
        session.session_key.expose_secret(),
        "tiihtNczf5v6AKRyjwEUhQ=="
    );
    assert_eq!(session.unionid.as_deref(), Some("uXYZ"));
    assert!(!format!("{session:?}").contains("tiihtNczf5v6AKRyjwEUhQ=="));
}

#[tokio::test]
async fn code2session_without_unionid_gives_none() {
    let server = MockServer::start().await;
    let body = json!({"openid": "oABC", "session_key": "tiihtNczf5v6AKRyjwEUhQ=="});
    mount_code2session(&server, "code-2", wechat_json(body)).await;

    let session = live_client(&server)
        .code2session(APPID, &secret(), "code-2")
        .await;

    assert_eq!(session.expect("succeeds").unionid, None);
}

#[tokio::test]
async fn wechat_error_codes_become_api_errors() {
    for (errcode, errmsg) in [
        (40029, "invalid code"),
        (45011, "api minute-quota reach limit"),
        (-1, "system error"),
    ] {
        let server = MockServer::start().await;
        let body = json!({"errcode": errcode, "errmsg": errmsg});
        mount_code2session(&server, "bad-code", wechat_json(body)).await;

        let err = live_client(&server)
            .code2session(APPID, &secret(), "bad-code")
            .await
            .expect_err("errcode must fail");

        match err {
            WechatError::Api {
                errcode: got,
                errmsg: msg,
            } => {
                assert_eq!(got, errcode);
                assert_eq!(msg, errmsg);
            }
            other => panic!("expected Api error for {errcode}, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_http_500_is_an_http_error_that_does_not_leak_the_secret() {
    let server = MockServer::start().await;
    mount_code2session(
        &server,
        "code-500",
        ResponseTemplate::new(500).set_body_string("oops"),
    )
    .await;

    let err = live_client(&server)
        .code2session(APPID, &secret(), "code-500")
        .await
        .expect_err("500 must fail");

    assert!(
        matches!(err, WechatError::Http(ref e) if e.status().map(|s| s.as_u16()) == Some(500)),
        "{err:?}"
    );
    assert_no_secret(&err);
}

#[tokio::test]
async fn a_garbage_body_is_a_bad_response() {
    for body in [
        "<html>502 Bad Gateway</html>",
        "",
        r#"{"session_key":"k"}"#,
        r#"{"openid":"o"}"#,
    ] {
        let server = MockServer::start().await;
        mount_code2session(
            &server,
            "code-g",
            ResponseTemplate::new(200).set_body_string(body),
        )
        .await;

        let err = live_client(&server)
            .code2session(APPID, &secret(), "code-g")
            .await
            .expect_err("garbage must fail");

        assert!(
            matches!(err, WechatError::BadResponse(_)),
            "body {body:?} gave {err:?}"
        );
    }
}

#[tokio::test]
async fn a_slow_wechat_times_out_as_an_http_error() {
    let server = MockServer::start().await;
    let slow = wechat_json(json!({"openid": "o", "session_key": "k"}))
        .set_delay(Duration::from_millis(1_500));
    Mock::given(path("/sns/jscode2session"))
        .respond_with(slow)
        .mount(&server)
        .await;
    let client =
        Client::new(&settings(WechatMode::Live, server.uri(), 200)).expect("client builds");

    let started = std::time::Instant::now();
    let err = client
        .code2session(APPID, &secret(), "slow")
        .await
        .expect_err("must time out");

    assert!(
        matches!(err, WechatError::Http(ref e) if e.is_timeout()),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(1_400));
    assert_no_secret(&err);
}

#[tokio::test]
async fn an_unreachable_wechat_is_an_http_error() {
    // Port 9 (discard) on loopback is not listening in the test environment.
    let client = Client::new(&settings(
        WechatMode::Live,
        "http://127.0.0.1:9".into(),
        500,
    ))
    .expect("client builds");

    let err = client
        .code2session(APPID, &secret(), "c")
        .await
        .expect_err("must fail");

    assert!(matches!(err, WechatError::Http(_)), "{err:?}");
    assert_no_secret(&err);
}

#[tokio::test]
async fn getwxacodeunlimit_returns_the_image_bytes() {
    let server = MockServer::start().await;
    let png = b"\x89PNG\r\n\x1a\nfake image bytes".to_vec();
    Mock::given(method("POST"))
        .and(path("/wxa/getwxacodeunlimit"))
        .and(query_param("access_token", "TOKEN"))
        .and(body_json(
            json!({"scene": "u=1&p=2", "page": "pages/mingpian/index", "check_path": false}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_raw(png.clone(), "image/jpeg"))
        .expect(1)
        .mount(&server)
        .await;

    let bytes = live_client(&server)
        .get_wxacode_unlimit(
            &SecretString::from("TOKEN"),
            "u=1&p=2",
            "/pages/mingpian/index",
        )
        .await;

    assert_eq!(bytes.expect("image"), png);
}

#[tokio::test]
async fn getwxacodeunlimit_errcode_json_is_an_api_error() {
    let server = MockServer::start().await;
    let body = json!({"errcode": 40001, "errmsg": "invalid credential"});
    Mock::given(method("POST"))
        .and(path("/wxa/getwxacodeunlimit"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.to_string(), "application/json"))
        .mount(&server)
        .await;

    let err = live_client(&server)
        .get_wxacode_unlimit(&SecretString::from("TOKEN"), "s", "pages/index/index")
        .await
        .expect_err("errcode must fail");

    assert!(
        matches!(err, WechatError::Api { errcode: 40001, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn stable_token_returns_the_token_and_its_lifetime() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/stable_token"))
        .and(body_json(json!({
            "grant_type": "client_credential", "appid": APPID, "secret": SECRET, "force_refresh": false
        })))
        .respond_with(wechat_json(json!({"access_token": "ACCESS", "expires_in": 7200})))
        .expect(1)
        .mount(&server)
        .await;

    let (token, expires_in) = live_client(&server)
        .access_token(APPID, &secret(), false)
        .await
        .expect("token");

    assert_eq!(token.expose_secret(), "ACCESS");
    assert_eq!(expires_in, 7200);
}

#[tokio::test]
async fn stable_token_errcode_is_an_api_error() {
    let server = MockServer::start().await;
    Mock::given(path("/cgi-bin/stable_token"))
        .respond_with(wechat_json(
            json!({"errcode": 40125, "errmsg": "invalid appsecret"}),
        ))
        .mount(&server)
        .await;

    let err = live_client(&server)
        .access_token(APPID, &secret(), false)
        .await
        .expect_err("must fail");

    assert!(
        matches!(err, WechatError::Api { errcode: 40125, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn dev_mode_answers_deterministically_without_http() {
    // The base URL points nowhere: dev mode must not touch the network.
    let client = Client::new(&settings(WechatMode::Dev, "http://127.0.0.1:9".into(), 200))
        .expect("client builds");

    let a1 = client
        .code2session(APPID, &secret(), "code-a")
        .await
        .expect("dev answers");
    let a2 = client
        .code2session(APPID, &secret(), "code-a")
        .await
        .expect("dev answers");
    let b = client
        .code2session(APPID, &secret(), "code-b")
        .await
        .expect("dev answers");

    assert_eq!(a1.openid, a2.openid);
    assert_eq!(
        a1.session_key.expose_secret(),
        a2.session_key.expose_secret()
    );
    assert_ne!(a1.openid, b.openid);
    assert_ne!(
        a1.session_key.expose_secret(),
        b.session_key.expose_secret()
    );
    assert!(a1.openid.starts_with("dev_"));
    assert_eq!(
        a1.session_key.expose_secret(),
        radar::wechat::dev_session_key("code-a")
    );
    assert_eq!(a1.unionid, None);
    let code = client
        .get_wxacode_unlimit(&SecretString::from("t"), "s", "p")
        .await
        .expect("placeholder");
    assert!(code.starts_with(b"\x89PNG"));
}

#[tokio::test]
async fn stable_token_can_force_a_refresh() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/stable_token"))
        .and(body_json(json!({
            "grant_type": "client_credential", "appid": APPID, "secret": SECRET, "force_refresh": true
        })))
        .respond_with(wechat_json(json!({"access_token": "FRESH", "expires_in": 7200})))
        .expect(1)
        .mount(&server)
        .await;

    let (token, _) = live_client(&server)
        .access_token(APPID, &secret(), true)
        .await
        .expect("token");

    assert_eq!(token.expose_secret(), "FRESH");
}

#[tokio::test]
async fn getuserphonenumber_returns_the_number_of_a_code() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/wxa/business/getuserphonenumber"))
        .and(query_param("access_token", "TOKEN"))
        .and(body_json(json!({"code": "phone-code"})))
        .respond_with(wechat_json(
            json!({"errcode": 0, "errmsg": "ok", "phone_info": {
            "phoneNumber": "+86 13800138000", "purePhoneNumber": "13800138000", "countryCode": "86",
            "watermark": {"timestamp": 1700000000, "appid": APPID}}}),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let number = live_client(&server)
        .user_phone_number(&SecretString::from("TOKEN"), "phone-code")
        .await
        .expect("answer");

    assert_eq!(number.as_deref(), Some("+86 13800138000"));
}

#[tokio::test]
async fn getuserphonenumber_errors_are_api_errors() {
    let server = MockServer::start().await;
    Mock::given(path("/wxa/business/getuserphonenumber"))
        .respond_with(wechat_json(
            json!({"errcode": 40029, "errmsg": "invalid code"}),
        ))
        .mount(&server)
        .await;

    let err = live_client(&server)
        .user_phone_number(&SecretString::from("TOKEN"), "old")
        .await
        .expect_err("refused");

    assert!(
        matches!(err, WechatError::Api { errcode: 40029, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn subscribe_send_posts_the_message_under_the_token() {
    let server = MockServer::start().await;
    let payload = json!({
        "touser": "oABC", "template_id": "sub-1", "page": "pages/index/index",
        "data": {"thing1": {"value": "张三"}},
    });
    Mock::given(method("POST"))
        .and(path("/cgi-bin/message/subscribe/send"))
        .and(query_param("access_token", "TOKEN"))
        .and(body_json(payload.clone()))
        .respond_with(wechat_json(json!({"errcode": 0, "errmsg": "ok"})))
        .expect(1)
        .mount(&server)
        .await;

    let sent = live_client(&server)
        .send_subscribe(&SecretString::from("TOKEN"), &payload)
        .await;

    assert!(sent.is_ok(), "{sent:?}");
}

#[tokio::test]
async fn subscribe_send_refusals_are_api_errors() {
    let server = MockServer::start().await;
    Mock::given(path("/cgi-bin/message/subscribe/send"))
        .respond_with(wechat_json(
            json!({"errcode": 43101, "errmsg": "user refuse to accept the msg"}),
        ))
        .mount(&server)
        .await;

    let err = live_client(&server)
        .send_subscribe(&SecretString::from("TOKEN"), &json!({}))
        .await
        .expect_err("refused");

    assert!(
        matches!(err, WechatError::Api { errcode: 43101, .. }),
        "{err:?}"
    );
}
