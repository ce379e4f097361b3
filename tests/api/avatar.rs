//! Avatar re-hosting is no server-side request forgery (issue 8 item 1): loopback listeners that
//! must receive nothing, whatever the URL a customer sends to M3 `send_user_info`.

use std::time::Duration;

use tokio::net::TcpListener;
use wiremock::matchers::path;
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::spawn_app;

const USER_INFO: &str = "/zhugeleida/xiaochengxu/login/send_user_info";

/// Asserts that nobody connects to `listener` within `wait`.
async fn assert_untouched(listener: &TcpListener, wait: Duration, what: &str) {
    if let Ok(Ok((_, from))) = tokio::time::timeout(wait, listener.accept()).await {
        panic!("{what}: the server connected to the listener (from {from})");
    }
}

#[actix_web::test]
async fn hostile_avatar_urls_make_the_server_connect_nowhere() {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    let radar = app.seed_radar_user(company, "张三").await;
    let customer = app.seed_customer(company, None).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let urls = [
        format!("http://wx.qlogo.cn:80@127.0.0.1:{port}/x.jpg"),
        format!("http://127.0.0.1:{port}\\@wx.qlogo.cn/x.jpg"),
        format!("http://127.0.0.1:{port}/x.jpg"),
        format!("http://localhost:{port}/x.jpg"),
        format!("http://[::ffff:127.0.0.1]:{port}/x.jpg"),
        format!("http://wx.qlogo.cn:{port}/x.jpg"),
        format!("http://x.qlogo.cn@localhost:{port}/wx.qlogo.cn/x.jpg"),
    ];
    for url in &urls {
        let body = app
            .post_signed(
                USER_INFO,
                &customer,
                &format!("uid={}", radar.id),
                &[("nickName", "小明"), ("avatarUrl", url)],
            )
            .await;
        assert_eq!(body["code"], 200, "{url}: {body}");
    }
    assert_untouched(&listener, Duration::from_millis(1500), "M3 avatarUrl").await;
    // The remote URL stays the avatar: nothing was re-hosted.
    let stored: String = app
        .client()
        .await
        .query_one(
            "SELECT headimgurl FROM customers WHERE id = $1",
            &[&customer.id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(&stored, urls.last().unwrap());
}

#[actix_web::test]
async fn rehost_refuses_a_url_off_the_wechat_hosts_before_connecting() {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    let customer = app.seed_customer(company, None).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    for url in [
        format!("http://wx.qlogo.cn:80@127.0.0.1:{port}/x.jpg"),
        format!("http://127.0.0.1:{port}\\@wx.qlogo.cn/x.jpg"),
    ] {
        assert!(radar::avatar::rehost(&app.state.avatars, customer.id, &url)
            .await
            .is_err());
    }
    assert_untouched(&listener, Duration::from_millis(300), "rehost").await;
}

#[actix_web::test]
async fn the_fetcher_follows_no_redirect() {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    let customer = app.seed_customer(company, None).await;
    let inner = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let inner_port = inner.local_addr().unwrap().port();
    // The fake WeChat host answers with a redirect to a loopback listener.
    Mock::given(path("/avatar/132"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("Location", format!("http://127.0.0.1:{inner_port}/x.jpg")),
        )
        .mount(&app.wechat)
        .await;
    let remote = format!("{}/avatar/132", app.wechat.uri());
    let fetcher = radar::avatar::fetcher().unwrap();
    let copied = radar::avatar::copy_from(
        &app.state.avatars,
        &fetcher,
        customer.id,
        &remote,
        remote.parse().unwrap(),
    )
    .await;
    assert!(copied.is_err(), "a redirect was followed: {copied:?}");
    assert_untouched(&inner, Duration::from_millis(500), "redirect target").await;
}
