//! Pair codes and posters (spec §4.3) and the poster HTML page (§5.9).

use std::time::{Duration, SystemTime};

use radar::config::WechatMode;
use serde_json::{json, Value};
use wiremock::matchers::{body_partial_json, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::{spawn_app, spawn_with, test_settings, Principal, TestApp};

const BINDING: &str = "/zhugeleida/xiaochengxu/login/binding";
const CARD: &str = "/zhugeleida/xiaochengxu/mingpian";
const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

/// A node whose WeChat client answers locally (dev mode).
async fn spawn_dev_app() -> TestApp {
    let wechat = wiremock::MockServer::start().await;
    let mut settings = test_settings(&wechat).await;
    settings.wechat.mode = WechatMode::Dev;
    spawn_with(settings, wechat).await
}

/// A company, its radar user 张三 and a customer of it.
async fn pair(app: &TestApp) -> (Principal, Principal) {
    let company = app.seed_company("甲公司").await;
    let radar = app.seed_radar_user(company, "张三").await;
    let customer = app.seed_customer(company, Some("客户")).await;
    (radar, customer)
}

/// Binds the pair through M2 (which starts the poster).
async fn bind(app: &TestApp, radar: &Principal, customer: &Principal) {
    let body = app
        .get_signed(BINDING, customer, &format!("uid={}", radar.id))
        .await;
    assert_eq!(body["msg"], "绑定关系成功", "{body}");
}

/// The pair's `(qr_code, poster_url)` columns.
async fn columns(
    app: &TestApp,
    radar: &Principal,
    customer: &Principal,
) -> (Option<String>, Option<String>) {
    let row = app
        .client()
        .await
        .query_one(
            "SELECT qr_code, poster_url FROM customer_bindings WHERE user_id = $1 AND customer_id = $2",
            &[&radar.id, &customer.id],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1))
}

fn poster_rel(radar: &Principal, customer: &Principal) -> String {
    format!(
        "statics/zhugeleida/imgs/xiaochengxu/poster/pair_{}_{}.png",
        radar.id, customer.id
    )
}

fn code_rel(radar: &Principal, customer: &Principal) -> String {
    format!(
        "statics/zhugeleida/imgs/xiaochengxu/qr_code/pair_{}_{}.png",
        radar.id, customer.id
    )
}

/// Every file under the data dir's generated pair directories.
fn pair_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for dir in ["poster", "qr_code"] {
        let dir = file(app, &format!("statics/zhugeleida/imgs/xiaochengxu/{dir}"));
        if let Ok(entries) = std::fs::read_dir(dir) {
            out.extend(entries.map(|e| e.unwrap().path()));
        }
    }
    out
}

/// GET the pair's poster (drawn on this first request): its bytes, after checking it is a PNG.
async fn fetch_poster(app: &TestApp, radar: &Principal, customer: &Principal) -> Vec<u8> {
    let (status, png) = fetch(app, &poster_rel(radar, customer)).await;
    assert_eq!(status, 200);
    assert!(png.starts_with(PNG_MAGIC));
    png
}

/// GET `/<relative>`: status and body bytes.
async fn fetch(app: &TestApp, relative: &str) -> (u16, Vec<u8>) {
    let resp = app
        .http
        .get(format!("{}/{relative}", app.address))
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
}

fn file(app: &TestApp, relative: &str) -> std::path::PathBuf {
    app.settings.storage.data_dir.join(relative)
}

fn mtime(app: &TestApp, relative: &str) -> SystemTime {
    std::fs::metadata(file(app, relative))
        .and_then(|m| m.modified())
        .unwrap()
}

/// A recognisable code image as WeChat would send it.
fn wechat_code_png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(280, 280, image::Rgb([10, 200, 30]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

async fn mock_token(app: &TestApp) {
    Mock::given(method("POST"))
        .and(path("/cgi-bin/stable_token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "tok-1", "expires_in": 7200})),
        )
        .mount(&app.wechat)
        .await;
}

#[actix_web::test]
async fn poster_html_shows_the_card_and_escapes_a_script_in_the_name() {
    let app = spawn_app().await; // Arrange
    let (radar, customer) = pair(&app).await;
    app.client()
        .await
        .execute(
            "UPDATE radar_users SET username = '<script>alert(1)</script>', avatar = 'statics/a.jpg'",
            &[],
        )
        .await
        .unwrap();
    app.seed_binding(radar.id, customer.id).await;

    let resp = app
        .http
        .get(format!(
            "{}{CARD}/poster_html?user_id={}&uid={}",
            app.address, customer.id, radar.id
        ))
        .send()
        .await
        .unwrap(); // Act

    assert_eq!(resp.status(), 200); // Assert
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "text/html; charset=utf-8"
    );
    let page = resp.text().await.unwrap();
    assert!(!page.contains("<script>"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    assert!(page.contains("经理") && page.contains("甲公司"));
    assert!(page.contains(r#"src="&#x2f;statics&#x2f;a.jpg""#));
}

#[actix_web::test]
async fn poster_html_answers_302_for_unknown_ids_and_301_for_missing_ones() {
    let app = spawn_app().await;
    let (radar, customer) = pair(&app).await;

    let unknown = app
        .get(
            &format!("{CARD}/poster_html"),
            &format!("user_id={}&uid=999999", customer.id),
        )
        .await;
    let stranger = app
        .get(
            &format!("{CARD}/poster_html"),
            &format!("user_id=999999&uid={}", radar.id),
        )
        .await;
    let missing = app.get(&format!("{CARD}/poster_html"), "").await;

    assert_eq!(unknown["code"], 302);
    assert_eq!(stranger["code"], 302);
    assert_eq!(missing["code"], 301);
}

#[actix_web::test]
async fn a_binding_makes_no_files_and_the_first_request_draws_the_poster() {
    let app = spawn_dev_app().await; // Arrange
    let (radar, customer) = pair(&app).await;
    let avatar = "statics/zhugeleida/imgs/admin/avatar.png";
    std::fs::create_dir_all(file(&app, "statics/zhugeleida/imgs/admin")).unwrap();
    let red = image::RgbImage::from_pixel(64, 48, image::Rgb([220, 20, 20]));
    red.save(file(&app, avatar)).unwrap();
    app.client()
        .await
        .execute("UPDATE radar_users SET avatar = $1", &[&avatar])
        .await
        .unwrap();

    bind(&app, &radar, &customer).await; // Act
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after_binding = pair_files(&app);
    let columns_after_binding = columns(&app, &radar, &customer).await;
    let saved = app
        .get_signed(
            &format!("{CARD}/save_poster"),
            &customer,
            &format!("uid={}", radar.id),
        )
        .await;
    let png = fetch_poster(&app, &radar, &customer).await;

    assert!(after_binding.is_empty(), "{after_binding:?}"); // Assert
    assert_eq!(columns_after_binding, (None, None));
    let (code, poster) = (code_rel(&radar, &customer), poster_rel(&radar, &customer));
    assert_eq!(saved["data"]["poster_url"], poster.as_str());
    assert!(png.len() > 5_000, "{} bytes", png.len());
    let img = image::load_from_memory(&png).unwrap().to_rgb8();
    assert_eq!((img.width(), img.height()), (750, 1200));
    assert_eq!(
        img.get_pixel(375, 170).0,
        [220, 20, 20],
        "the local avatar is drawn"
    );
    assert_eq!(
        columns(&app, &radar, &customer).await,
        (Some(code.clone()), Some(poster.clone()))
    );
    assert_eq!(std::fs::read(file(&app, &poster)).unwrap(), png);
    let (status, qr) = fetch(&app, &code).await;
    let qr = image::load_from_memory(&qr).unwrap().to_luma8();
    assert_eq!(status, 200);
    assert_eq!(qr.width(), qr.height());
    assert!(qr.width() > 100, "a real QR code, not the 1×1 placeholder");
    assert!(app.wechat.received_requests().await.unwrap().is_empty());
}

#[actix_web::test]
async fn concurrent_first_requests_draw_the_poster_once_and_later_ones_get_the_file() {
    let app = spawn_dev_app().await; // Arrange
    let (radar, customer) = pair(&app).await;
    bind(&app, &radar, &customer).await;
    let url = format!("{}/{}", app.address, poster_rel(&radar, &customer));

    let responses = futures_util::future::join_all((0..8).map(|_| app.http.get(&url).send())).await; // Act
    let mut etags = Vec::new();
    let mut bodies = Vec::new();
    for resp in responses {
        let resp = resp.unwrap();
        assert_eq!(resp.status(), 200);
        etags.push(resp.headers()["etag"].to_str().unwrap().to_owned());
        bodies.push(resp.bytes().await.unwrap());
    }
    let first_mtime = mtime(&app, &poster_rel(&radar, &customer));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let later = app.http.get(&url).send().await.unwrap();
    let later_etag = later.headers()["etag"].to_str().unwrap().to_owned();

    // Assert: one file (actix-files' ETag names its inode and mtime; a second render would
    // rename a new file into place) served to every request.
    assert!(etags.iter().all(|e| *e == etags[0]), "{etags:?}");
    assert!(bodies.iter().all(|b| *b == bodies[0]));
    assert!(bodies[0].starts_with(PNG_MAGIC));
    assert_eq!(later_etag, etags[0]);
    assert_eq!(mtime(&app, &poster_rel(&radar, &customer)), first_mtime);
    let files = pair_files(&app);
    assert_eq!(files.len(), 3, "code, poster and state: {files:?}");
}

#[actix_web::test]
async fn pair_files_of_unbound_pairs_and_other_names_answer_404() {
    let app = spawn_dev_app().await; // Arrange
    let (radar, customer) = pair(&app).await;
    let legacy = "statics/zhugeleida/imgs/xiaochengxu/poster/legacy.png";
    std::fs::create_dir_all(file(&app, "statics/zhugeleida/imgs/xiaochengxu/poster")).unwrap();
    std::fs::write(file(&app, legacy), b"legacy poster").unwrap();

    let unbound = fetch(&app, &poster_rel(&radar, &customer)).await; // Act
    let unbound_code = fetch(&app, &code_rel(&radar, &customer)).await;
    let odd = fetch(
        &app,
        &format!(
            "statics/zhugeleida/imgs/xiaochengxu/poster/pair_0{}_{}.png",
            radar.id, customer.id
        ),
    )
    .await;
    let huge = fetch(
        &app,
        "statics/zhugeleida/imgs/xiaochengxu/poster/pair_99999999999999999999_1.png",
    )
    .await;
    let escape = fetch(
        &app,
        "statics/zhugeleida/imgs/xiaochengxu/poster/..%2f..%2fx.png",
    )
    .await;
    let served = fetch(&app, legacy).await;

    assert_eq!(unbound.0, 404); // Assert
    assert_eq!(unbound_code.0, 404);
    assert_eq!(odd.0, 404);
    assert_eq!(huge.0, 404);
    assert!([400, 404].contains(&escape.0), "{}", escape.0); // actix-files refuses it
    assert_eq!(served, (200, b"legacy poster".to_vec()));
    assert_eq!(pair_files(&app).len(), 1, "nothing made");
}

#[actix_web::test]
async fn in_live_mode_the_pair_code_comes_from_wechat() {
    let app = spawn_app().await; // Arrange
    let (radar, customer) = pair(&app).await;
    mock_token(&app).await;
    let wechat_png = wechat_code_png();
    Mock::given(method("POST"))
        .and(path("/wxa/getwxacodeunlimit"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(wechat_png.clone(), "image/png"))
        .mount(&app.wechat)
        .await;

    bind(&app, &radar, &customer).await; // Act
    let poster_png = fetch_poster(&app, &radar, &customer).await;
    let code = code_rel(&radar, &customer);

    assert_eq!(std::fs::read(file(&app, &code)).unwrap(), wechat_png); // Assert
    let requests = app.wechat.received_requests().await.unwrap();
    let call = requests
        .iter()
        .find(|r| r.url.path() == "/wxa/getwxacodeunlimit")
        .expect("getwxacodeunlimit called");
    assert_eq!(call.url.query(), Some("access_token=tok-1"));
    let body: Value = serde_json::from_slice(&call.body).unwrap();
    assert_eq!(
        body,
        json!({"scene": format!("u={}&p={}", radar.id, customer.id), "page": "pages/mingpian/index", "check_path": false})
    );
    let poster_png = image::load_from_memory(&poster_png).unwrap().to_rgb8();
    assert_eq!(
        poster_png.get_pixel(375, 840).0,
        [10, 200, 30],
        "code drawn"
    );
}

#[actix_web::test]
async fn the_pair_code_uses_the_shared_token_and_refreshes_it_once_when_refused() {
    let app = spawn_app().await; // Arrange
    let (radar, customer) = pair(&app).await;
    // Another node fetched a token that WeChat has since replaced.
    app.client()
        .await
        .execute(
            "INSERT INTO wechat_access_tokens (appid, access_token, refresh_after)
             VALUES ('wx4f4bc4dec97d474b', 'stale', now() + interval '1 hour')",
            &[],
        )
        .await
        .unwrap();
    Mock::given(method("POST"))
        .and(path("/cgi-bin/stable_token"))
        .and(body_partial_json(json!({"force_refresh": true})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "tok-2", "expires_in": 7200})),
        )
        .expect(1)
        .mount(&app.wechat)
        .await;
    Mock::given(method("POST"))
        .and(path("/wxa/getwxacodeunlimit"))
        .and(query_param("access_token", "stale"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"errcode": 40001, "errmsg": "invalid credential"})),
        )
        .expect(1)
        .mount(&app.wechat)
        .await;
    let wechat_png = wechat_code_png();
    Mock::given(method("POST"))
        .and(path("/wxa/getwxacodeunlimit"))
        .and(query_param("access_token", "tok-2"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(wechat_png.clone(), "image/png"))
        .expect(1)
        .mount(&app.wechat)
        .await;

    bind(&app, &radar, &customer).await; // Act
    fetch_poster(&app, &radar, &customer).await;
    let code = code_rel(&radar, &customer);

    assert_eq!(std::fs::read(file(&app, &code)).unwrap(), wechat_png); // Assert
    let stored: String = app
        .client()
        .await
        .query_one("SELECT access_token FROM wechat_access_tokens", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        stored, "tok-2",
        "the refreshed token is shared with the other nodes"
    );
}

#[actix_web::test]
async fn a_wechat_error_falls_back_to_a_local_qr_code() {
    let app = spawn_app().await;
    let (radar, customer) = pair(&app).await;
    mock_token(&app).await;
    Mock::given(method("POST"))
        .and(path("/wxa/getwxacodeunlimit"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"errcode": 45009, "errmsg": "reach max api daily quota limit"}),
            ),
        )
        .mount(&app.wechat)
        .await;

    bind(&app, &radar, &customer).await;
    fetch_poster(&app, &radar, &customer).await;
    let code = code_rel(&radar, &customer);

    let qr = image::load_from_memory(&std::fs::read(file(&app, &code)).unwrap())
        .unwrap()
        .to_luma8();
    assert_eq!(qr.width(), qr.height());
    assert_eq!(qr.get_pixel(0, 0).0, [255], "white quiet zone");
    assert_eq!(
        qr.get_pixel(32, 32).0,
        [0],
        "finder pattern after 4 modules"
    );
}

#[actix_web::test]
async fn save_poster_keeps_a_fresh_poster_and_drops_it_after_the_card_changes() {
    let app = spawn_dev_app().await; // Arrange
    let (radar, customer) = pair(&app).await;
    bind(&app, &radar, &customer).await;
    let first_png = fetch_poster(&app, &radar, &customer).await;
    let poster = poster_rel(&radar, &customer);
    let first = mtime(&app, &poster);
    let q = format!("uid={}", radar.id);

    let saved = app
        .get_signed(&format!("{CARD}/save_poster"), &customer, &q)
        .await; // Act: nothing changed
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let kept = file(&app, &poster).exists();
    let served_again = fetch(&app, &poster).await.1;
    let unchanged = mtime(&app, &poster);
    app.client()
        .await
        .execute(
            "UPDATE radar_users SET position = '总监' WHERE id = $1",
            &[&radar.id],
        )
        .await
        .unwrap();
    app.get_signed(&format!("{CARD}/save_poster"), &customer, &q)
        .await; // Act: the card changed
    let dropped = !file(&app, &poster).exists();
    let redrawn = fetch_poster(&app, &radar, &customer).await;

    assert_eq!(
        saved["data"],
        json!({"uid": radar.id, "poster_url": poster})
    ); // Assert
    assert!(kept, "a fresh poster is kept");
    assert_eq!(served_again, first_png);
    assert_eq!(unchanged, first, "a fresh poster is not redrawn");
    assert!(dropped, "a stale poster is deleted by save_poster");
    assert_ne!(
        mtime(&app, &poster),
        first,
        "drawn anew on its next request"
    );
    // (With a font the new position shows; without one the poster has no text.)
    assert!(redrawn.starts_with(PNG_MAGIC));
}

#[actix_web::test]
async fn create_poster_returns_the_pair_code_which_is_made_on_its_first_request() {
    let app = spawn_dev_app().await; // Arrange
    let (radar, customer) = pair(&app).await;
    app.seed_binding(radar.id, customer.id).await;
    let q = format!("uid={}", radar.id);

    let body = app
        .get_signed(&format!("{CARD}/create_poster"), &customer, &q)
        .await; // Act
    let nothing_yet = pair_files(&app);
    let (status, png) = fetch(&app, &code_rel(&radar, &customer)).await;
    let again = app
        .get_signed(&format!("{CARD}/create_poster"), &customer, &q)
        .await;

    assert_eq!(body["msg"], "请求成功"); // Assert
    assert_eq!(body["data"]["qr_code_url"], code_rel(&radar, &customer));
    assert!(nothing_yet.is_empty(), "{nothing_yet:?}");
    assert_eq!(status, 200);
    assert!(png.starts_with(PNG_MAGIC));
    assert_eq!(again["data"]["qr_code_url"], code_rel(&radar, &customer));
    assert_eq!(
        columns(&app, &radar, &customer).await,
        (Some(code_rel(&radar, &customer)), None),
        "only the code was made"
    );
    assert!(!file(&app, &poster_rel(&radar, &customer)).exists());
}
