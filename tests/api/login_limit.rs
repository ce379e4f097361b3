//! Login abuse limits (issue 8 item 3): per login name and per client address, with backoff,
//! counted in PostgreSQL so that every node shares them; `{code:429}` once a limit is reached.

use serde_json::{json, Value};
use wiremock::MockServer;

use crate::helpers::{spawn_with, test_settings, TestApp};

const RADAR_LOGIN: &str = "/zhugeleida/qiyeweixin/login";
const ADMIN_LOGIN: &str = "/zhugeleida/admin/login";
const PASSWORD: &str = "Passw0rd!";

/// A node allowing 3 failures per name and 5 per address.
async fn node() -> TestApp {
    let wechat = MockServer::start().await;
    let mut s = test_settings(&wechat).await;
    s.auth.login_max_failures = 3;
    s.auth.login_max_failures_per_address = 5;
    s.auth.login_window_secs = 900;
    s.auth.login_backoff_secs = 60;
    s.auth.login_max_backoff_secs = 3600;
    spawn_with(s, wechat).await
}

fn too_many() -> Value {
    json!({"code": 429, "msg": "尝试次数过多,请稍后再试", "data": {}, "note": {}})
}

/// A radar user logging in as `<name>-<company>` with `PASSWORD`; returns the login name.
async fn radar_account(app: &TestApp, company: i64, name: &str) -> String {
    let radar = app.seed_radar_user(company, name).await;
    let hash = radar::password::hash(PASSWORD).unwrap();
    app.client()
        .await
        .execute(
            "UPDATE radar_users SET password = $1 WHERE id = $2",
            &[&hash, &radar.id],
        )
        .await
        .unwrap();
    format!("{name}-{company}")
}

async fn radar_login(app: &TestApp, login: &str, password: &str) -> Value {
    app.post_form(
        RADAR_LOGIN,
        "",
        &[("login_user", login), ("password", password)],
    )
    .await
}

async fn admin_login(app: &TestApp, login: &str, password: &str) -> Value {
    app.post_form(
        ADMIN_LOGIN,
        "",
        &[("username", login), ("password", password)],
    )
    .await
}

#[actix_web::test]
async fn a_radar_login_is_blocked_after_its_failures_even_with_the_right_password() {
    let app = node().await;
    let company = app.seed_company("甲公司").await;
    let login = radar_account(&app, company, "张三").await;
    for _ in 0..3 {
        assert_eq!(radar_login(&app, &login, "wrong").await["code"], 401);
    }
    assert_eq!(radar_login(&app, &login, "wrong").await, too_many());
    assert_eq!(radar_login(&app, &login, PASSWORD).await, too_many());
    // Refused attempts are not counted again; the block is the base backoff.
    let failures = app
        .scalar(
            "SELECT failures::bigint FROM login_attempts WHERE key = $1",
            &[&format!("login:radar:{login}")],
        )
        .await;
    assert_eq!(failures, 3);
    let secs = app
        .scalar(
            "SELECT round(extract(epoch FROM blocked_until - now()))::bigint FROM login_attempts WHERE key = $1",
            &[&format!("login:radar:{login}")],
        )
        .await;
    assert!((55..=60).contains(&secs), "blocked for {secs} s");
    // When the block ends, one more failure blocks twice as long.
    app.client()
        .await
        .execute(
            "UPDATE login_attempts SET blocked_until = now() - interval '1 second'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(radar_login(&app, &login, "wrong").await["code"], 401);
    let secs = app
        .scalar(
            "SELECT round(extract(epoch FROM blocked_until - now()))::bigint FROM login_attempts WHERE key = $1",
            &[&format!("login:radar:{login}")],
        )
        .await;
    assert!((115..=120).contains(&secs), "blocked for {secs} s");
}

#[actix_web::test]
async fn unknown_names_count_like_wrong_passwords_and_admin_logins_are_limited_too() {
    let app = node().await;
    for _ in 0..3 {
        assert_eq!(admin_login(&app, "nobody", "x").await["code"], 401);
    }
    assert_eq!(admin_login(&app, "nobody", "x").await, too_many());
    // This address's count (3 failures) is not the point here.
    app.client()
        .await
        .execute("DELETE FROM login_attempts WHERE key LIKE 'addr:%'", &[])
        .await
        .unwrap();
    let company = app.seed_company("甲公司").await;
    app.seed_admin_as(company, 2, "boss").await;
    for _ in 0..3 {
        assert_eq!(admin_login(&app, "boss", "wrong").await["code"], 401);
    }
    assert_eq!(
        admin_login(&app, "boss", TestApp::ADMIN_PASSWORD).await,
        too_many()
    );
}

#[actix_web::test]
async fn a_successful_login_resets_its_names_count() {
    let app = node().await;
    let company = app.seed_company("甲公司").await;
    let login = radar_account(&app, company, "张三").await;
    for _ in 0..2 {
        assert_eq!(radar_login(&app, &login, "wrong").await["code"], 401);
    }
    assert_eq!(radar_login(&app, &login, PASSWORD).await["code"], 200);
    for _ in 0..2 {
        assert_eq!(radar_login(&app, &login, "wrong").await["code"], 401);
    }
    assert_eq!(radar_login(&app, &login, PASSWORD).await["code"], 200);
}

#[actix_web::test]
async fn one_address_is_blocked_across_different_logins() {
    let app = node().await;
    let company = app.seed_company("甲公司").await;
    let login = radar_account(&app, company, "张三").await;
    // Five names, one failure each, from the same address (the tests' 127.0.0.1).
    for i in 0..5 {
        assert_eq!(
            radar_login(&app, &format!("guess-{i}"), "x").await["code"],
            401
        );
    }
    // The address is blocked now, for every name, also a right password and the admin login.
    assert_eq!(radar_login(&app, "guess-9", "x").await, too_many());
    assert_eq!(radar_login(&app, &login, PASSWORD).await, too_many());
    assert_eq!(admin_login(&app, "anyone", "x").await, too_many());
}

#[actix_web::test]
async fn concurrent_guesses_take_turns_so_no_more_than_the_limit_are_checked() {
    let app = node().await;
    let company = app.seed_company("甲公司").await;
    let login = radar_account(&app, company, "张三").await;
    // Twelve guesses at once (a limit of 3 per name): checked side by side, all of them passed the
    // count before the first failure was written, and all were checked.
    let guesses = (0..12).map(|i| {
        let (app, login) = (&app, &login);
        async move { radar_login(app, login, &format!("guess-{i}")).await }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let checked = answers.iter().filter(|a| a["code"] == 401).count();
    let refused = answers.iter().filter(|a| **a == too_many()).count();
    assert!(checked <= 3, "{checked} of 12 guesses checked: {answers:?}");
    assert_eq!(checked + refused, 12, "{answers:?}");
    // The name is blocked: the right password is refused too.
    assert_eq!(radar_login(&app, &login, PASSWORD).await, too_many());
}

#[actix_web::test]
async fn concurrent_logins_of_one_account_all_succeed() {
    let app = node().await;
    let company = app.seed_company("甲公司").await;
    let login = radar_account(&app, company, "张三").await;
    // One account on several devices at once (a limit of 3 per name): each waits its turn.
    let logins = (0..6).map(|_| radar_login(&app, &login, PASSWORD));
    let answers = futures_util::future::join_all(logins).await;
    assert!(answers.iter().all(|a| a["code"] == 200), "{answers:?}");
}

#[actix_web::test]
async fn successful_logins_from_one_address_are_never_counted_against_it() {
    let app = node().await;
    let company = app.seed_company("甲公司").await;
    let login = radar_account(&app, company, "张三").await;
    // An office behind one address (limit 5) logs in as often as it needs: only failures count.
    for _ in 0..8 {
        assert_eq!(radar_login(&app, &login, PASSWORD).await["code"], 200);
    }
    for i in 0..4 {
        assert_eq!(
            radar_login(&app, &format!("guess-{i}"), "x").await["code"],
            401
        );
    }
    assert_eq!(radar_login(&app, &login, PASSWORD).await["code"], 200);
}

#[actix_web::test]
async fn two_nodes_share_the_counts() {
    let a = node().await;
    let b = spawn_with(a.settings.clone(), MockServer::start().await).await;
    let company = a.seed_company("甲公司").await;
    let login = radar_account(&a, company, "张三").await;
    assert_eq!(radar_login(&a, &login, "wrong").await["code"], 401);
    assert_eq!(radar_login(&b, &login, "wrong").await["code"], 401);
    assert_eq!(radar_login(&a, &login, "wrong").await["code"], 401);
    assert_eq!(radar_login(&b, &login, PASSWORD).await, too_many());
    assert_eq!(radar_login(&a, &login, PASSWORD).await, too_many());
}

#[actix_web::test]
async fn refusals_are_counted_in_the_metrics() {
    let app = node().await;
    for _ in 0..4 {
        admin_login(&app, "nobody", "x").await;
    }
    let (_, text) = app.get_raw("/metrics", "").await;
    let line = text
        .lines()
        .find(|l| l.starts_with("radar_login_rate_limited_total{kind=\"admin\"}"))
        .unwrap_or_else(|| panic!("no admin rate-limit counter in {text}"));
    let n: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(n >= 1.0, "{line}");
}

/// The time of one call that must answer 401, in milliseconds.
async fn timed_401(call: impl std::future::Future<Output = Value>) -> f64 {
    let started = std::time::Instant::now();
    assert_eq!(call.await["code"], 401);
    started.elapsed().as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[actix_web::test]
async fn an_unknown_name_costs_about_what_a_wrong_password_costs() {
    let wechat = MockServer::start().await;
    let mut s = test_settings(&wechat).await;
    s.auth.login_max_failures = 0; // limits off: only timing here
    let app = spawn_with(s, wechat).await;
    let company = app.seed_company("甲公司").await;
    let login = radar_account(&app, company, "张三").await;
    // Warm up (the dummy hash is made on first use).
    radar_login(&app, "nobody", "x").await;
    // Interleaved, so that load from other tests weighs on both alike.
    let (mut unknown, mut wrong) = (Vec::new(), Vec::new());
    for _ in 0..9 {
        unknown.push(timed_401(radar_login(&app, "nobody", "x")).await);
        wrong.push(timed_401(radar_login(&app, &login, "wrong")).await);
    }
    let (unknown, wrong) = (median(unknown), median(wrong));
    eprintln!(
        "radar login: unknown name {unknown:.2} ms, wrong password {wrong:.2} ms (medians of 9)"
    );
    // Before the dummy hash an unknown name answered ~30 times faster than a wrong password.
    assert!(
        unknown > wrong / 4.0 && wrong > unknown / 4.0,
        "unknown {unknown:.2} ms vs wrong {wrong:.2} ms"
    );
}
