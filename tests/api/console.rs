//! The console's server side: R6 `action/time` (the radar feed), the radar `customer/info` and
//! `product/product_list` it shows, and the embedded pages with their security headers.

use serde_json::Value;

use crate::helpers::{spawn_app, spawn_with, test_settings, Principal, TestApp};

const R: &str = "/zhugeleida/qiyeweixin";
const M: &str = "/zhugeleida/xiaochengxu";

/// A company with a radar user and a customer (named when `nickname`) bound to them.
async fn seed_pair(app: &TestApp, nickname: Option<&str>) -> (Principal, Principal) {
    let company = app
        .seed_company(&format!("公司{}", uuid::Uuid::new_v4().simple()))
        .await;
    let radar = app.seed_radar_user(company, "销售").await;
    let customer = app.seed_customer(company, nickname).await;
    app.seed_binding(radar.id, customer.id).await;
    (radar, customer)
}

async fn feed(app: &TestApp, radar: &Principal, extra: &str) -> Value {
    app.get_signed(&format!("{R}/action/time"), radar, extra)
        .await
}

fn logs(body: &Value) -> Vec<String> {
    body["data"]["ret_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["log"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn a_card_view_and_a_praise_appear_in_the_feed_newest_first_and_are_then_seen() {
    let app = spawn_app().await;
    let (radar, customer) = seed_pair(&app, Some("小王")).await;
    let uid = format!("uid={}", radar.id);
    app.get_signed(&format!("{M}/mingpian"), &customer, &uid)
        .await;
    app.get_signed(&format!("{M}/mingpian/praise"), &customer, &uid)
        .await;

    let body = feed(&app, &radar, "").await;

    assert_eq!(body["code"], 200, "{body}");
    assert_eq!(body["msg"], "查询日志记录成功");
    assert_eq!(body["data"]["data_count"], 2);
    assert_eq!(
        logs(&body),
        ["小王觉得您非常靠谱", "小王首次查看您的名片,沟通从此刻开始"]
    );
    let first = &body["data"]["ret_data"][0];
    assert_eq!(first["customer_username"], "小王");
    assert_eq!(first["customer_id"], customer.id);
    assert_eq!(first["user_id"], radar.id);
    assert_eq!(first["action"], 9);
    assert_eq!(first["action_text"], "觉得靠谱");
    assert_eq!(first["remark"], "觉得您非常靠谱");
    assert_eq!(first["log_type"], 1);
    assert_eq!(first["customer_source_text"], "微信小程序");
    assert_eq!(first["is_new"], true);
    // The first read marked them seen.
    let again = feed(&app, &radar, "").await;
    assert_eq!(again["data"]["ret_data"][0]["is_new"], false);
    let unseen = app
        .scalar(
            "SELECT count(*) FROM action_logs WHERE user_id = $1 AND is_new_msg",
            &[&radar.id],
        )
        .await;
    assert_eq!(unseen, 0);
}

#[actix_web::test]
async fn the_feed_pages_filters_and_polls_with_since_id() {
    let app = spawn_app().await;
    let (radar, customer) = seed_pair(&app, Some("甲")).await;
    let uid = format!("uid={}", radar.id);
    for _ in 0..3 {
        app.get_signed(&format!("{M}/mingpian/calling"), &customer, &uid)
            .await;
    }
    app.get_signed(&format!("{M}/mingpian/save_wechat"), &customer, &uid)
        .await;

    let page2 = feed(&app, &radar, "current_page=2&length=3").await;
    let by_action = feed(&app, &radar, "action=5").await;
    let newest = feed(&app, &radar, "length=1").await["data"]["ret_data"][0]["id"]
        .as_i64()
        .unwrap();
    let after_newest = feed(&app, &radar, &format!("since_id={newest}")).await;
    let after_first = feed(&app, &radar, &format!("since_id={}", newest - 1)).await;
    let other_customer = feed(&app, &radar, "customer_id=999999999").await;

    assert_eq!(page2["data"]["data_count"], 4);
    assert_eq!(logs(&page2), ["甲拨打您的手机"]);
    assert_eq!(logs(&by_action), ["甲复制了您的微信,留意微信新朋友消息"]);
    assert_eq!(after_newest["data"]["ret_data"], serde_json::json!([]));
    assert_eq!(after_newest["data"]["data_count"], 0);
    assert_eq!(logs(&after_first), ["甲复制了您的微信,留意微信新朋友消息"]);
    assert_eq!(other_customer["data"]["data_count"], 0);
}

#[actix_web::test]
async fn the_feed_shows_only_the_signed_radar_users_logs() {
    let app = spawn_app().await;
    let (radar, customer) = seed_pair(&app, Some("乙")).await;
    let (other, _) = seed_pair(&app, Some("丙")).await;
    app.get_signed(
        &format!("{M}/mingpian/calling"),
        &customer,
        &format!("uid={}", radar.id),
    )
    .await;

    let theirs = feed(&app, &other, "").await;

    assert_eq!(theirs["code"], 200);
    assert_eq!(theirs["data"]["data_count"], 0);
}

#[actix_web::test]
async fn bad_feed_input_gets_the_legacy_envelope() {
    let app = spawn_app().await;
    let (radar, _) = seed_pair(&app, Some("丁")).await;

    let unsigned = app.get(&format!("{R}/action/time"), "user_id=1").await;
    let huge_action = feed(&app, &radar, "action=99999").await;
    let bad_date = feed(&app, &radar, "create_date__gte=yesterday").await;
    let not_int = feed(&app, &radar, "since_id=x").await;
    let nul = feed(&app, &radar, "customer_id=1%00").await;
    let overflow_page = feed(&app, &radar, "current_page=9223372036854775807&length=100").await;

    assert_eq!(unsigned["code"], 400);
    assert_eq!(unsigned["msg"], "token异常");
    assert_eq!(huge_action["code"], 301);
    assert!(huge_action["msg"]["action"].is_array(), "{huge_action}");
    assert_eq!(bad_date["code"], 301);
    assert!(bad_date["msg"]["create_date__gte"].is_array(), "{bad_date}");
    assert_eq!(not_int["code"], 301);
    assert!(not_int["msg"]["since_id"].is_array(), "{not_int}");
    assert_eq!(nul["code"], 301, "{nul}");
    assert_eq!(overflow_page["code"], 200, "{overflow_page}");
    assert_eq!(overflow_page["data"]["ret_data"], serde_json::json!([]));
}

#[actix_web::test]
async fn feed_dates_before_postgresqls_range_are_form_errors() {
    // chrono parses years down to -262143; PostgreSQL's timestamptz starts in 4713 BC, so these
    // reached the query and answered HTTP 500 ("timestamp out of range").
    let app = spawn_app().await;
    let (radar, _) = seed_pair(&app, Some("戊")).await;

    for date in ["-4714-01-01", "-100000-01-01 00:00:00", "0000-01-01"] {
        for key in ["create_date__gte", "create_date__lt"] {
            let body = feed(&app, &radar, &format!("{key}={date}")).await;

            assert_eq!(body["code"], 301, "{key}={date}: {body}");
            assert!(body["msg"][key].is_array(), "{key}={date}: {body}");
        }
    }
}

#[actix_web::test]
async fn the_date_range_is_read_in_shanghai_time() {
    let app = spawn_app().await;
    let (radar, customer) = seed_pair(&app, Some("戊")).await;
    app.client()
        .await
        .execute(
            "INSERT INTO action_logs (action, user_id, customer_id, remark, create_date)
             VALUES (1, $1, $2, '早', '2026-03-01 00:30:00+08'), (1, $1, $2, '晚', '2026-02-28 23:30:00+08')",
            &[&radar.id, &customer.id],
        )
        .await
        .unwrap();

    let march = feed(
        &app,
        &radar,
        "create_date__gte=2026-03-01&create_date__lt=2026-03-02",
    )
    .await;

    assert_eq!(logs(&march), ["戊早"]);
    assert_eq!(
        march["data"]["ret_data"][0]["create_date"],
        "2026-03-01T00:30:00"
    );
}

#[actix_web::test]
async fn customer_info_shows_the_profile_only_within_the_company() {
    let app = spawn_app().await;
    let (radar, customer) = seed_pair(&app, Some("<b>小李</b>")).await;
    let (stranger, _) = seed_pair(&app, Some("外人")).await;
    app.client()
        .await
        .execute(
            "UPDATE customers SET phone = '+86 13911112222', city = '杭州' WHERE id = $1",
            &[&customer.id],
        )
        .await
        .unwrap();
    let cid = format!("customer_id={}", customer.id);

    let mine = app
        .get_signed(&format!("{R}/customer/info"), &radar, &cid)
        .await;
    let theirs = app
        .get_signed(&format!("{R}/customer/info"), &stranger, &cid)
        .await;
    let missing = app
        .get_signed(&format!("{R}/customer/info"), &radar, "")
        .await;

    assert_eq!(mine["code"], 200, "{mine}");
    let p = &mine["data"]["ret_data"];
    assert_eq!(p["name"], "<b>小李</b>");
    assert_eq!(p["phone"], "+86 13911112222");
    assert_eq!(p["city"], "杭州");
    assert_eq!(p["is_bound"], true);
    assert_eq!(p["source_text"], "扫码");
    assert_eq!(p["tags_list"], serde_json::json!([]));
    assert_eq!(theirs["code"], 301);
    assert_eq!(missing["code"], 301);
}

#[actix_web::test]
async fn the_radar_product_list_shows_the_cards_products() {
    let app = spawn_app().await;
    let (radar, _) = seed_pair(&app, None).await;
    app.client()
        .await
        .execute(
            "INSERT INTO products (company_id, user_id, name, price, reason, content, status, recommend_index)
             SELECT company_id, NULL::bigint, '标准版', '99元', '好', '{\"cover_data\":[{\"type\":\"picture_url\",\"data\":[\"statics/p.jpg\"]}]}'::jsonb, 1::smallint, 3::smallint
             FROM radar_users WHERE id = $1
             UNION ALL SELECT company_id, NULL::bigint, '下架品', '1元', '', '{}'::jsonb, 2::smallint, 9::smallint FROM radar_users WHERE id = $1",
            &[&radar.id],
        )
        .await
        .unwrap();

    let body = app
        .get_signed(&format!("{R}/product/product_list"), &radar, "")
        .await;

    assert_eq!(body["code"], 200, "{body}");
    assert_eq!(body["data"]["data_count"], 1);
    assert_eq!(body["data"]["ret_data"][0]["name"], "标准版");
    assert_eq!(body["data"]["ret_data"][0]["cover_url"], "statics/p.jpg");
}

#[actix_web::test]
async fn radar_login_names_the_user_for_the_console() {
    let app = spawn_app().await;
    let company = app.seed_company("登录公司").await;
    app.seed_radar_user(company, "王五").await;
    let hash = radar::password::hash("Secret123").unwrap();
    app.client()
        .await
        .execute(
            "UPDATE radar_users SET password = $1 WHERE login_user = $2",
            &[&hash, &format!("王五-{company}")],
        )
        .await
        .unwrap();

    let body = app
        .post_form(
            &format!("{R}/login"),
            "",
            &[
                ("login_user", &format!("王五-{company}")),
                ("password", "Secret123"),
            ],
        )
        .await;

    assert_eq!(body["code"], 200, "{body}");
    assert_eq!(body["data"]["username"], "王五");
    assert_eq!(body["data"]["position"], "经理");
}

#[actix_web::test]
async fn console_pages_carry_a_strict_content_security_policy() {
    let app = spawn_app().await;

    for path in [
        "/console/",
        "/console",
        "/console/js/console.js",
        "/console/app.css",
    ] {
        let resp = app
            .http
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        let csp = resp.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    }
    let page = app
        .http
        .get(format!("{}/console/", app.address))
        .send()
        .await
        .unwrap();
    let etag = page.headers()["etag"].clone();
    let again = app
        .http
        .get(format!("{}/console/", app.address))
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let missing = app.get_raw("/console/js/nope.js", "").await;
    assert_eq!(missing.0, 404);
}

#[actix_web::test]
async fn the_simulator_is_off_unless_configured() {
    let mut apps = Vec::new();
    for switch in [radar::config::Switch::Off, radar::config::Switch::On] {
        let wechat = wiremock::MockServer::start().await;
        let mut settings = test_settings(&wechat).await;
        settings.console.simulator = switch;
        apps.push(spawn_with(settings, wechat).await);
    }
    let (off, on) = (&apps[0], &apps[1]);

    for path in [
        "/console/simulator",
        "/console/simulator/radar_users",
        "/console/js/sim/customer.js",
    ] {
        assert_eq!(off.get_raw(path, "").await.0, 404, "{path}");
        assert_eq!(on.get_raw(path, "").await.0, 200, "{path}");
    }
    // The pages themselves are reached only through their routes.
    assert_eq!(on.get_raw("/console/simulator.html", "").await.0, 404);
}
