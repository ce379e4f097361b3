//! The auth matrix, generated from the route table (`radar::http::routes`), so a new route is
//! covered by itself: every signed route refuses a missing, stale, forged or wrong-family
//! signature and a revoked principal with exactly `{code:400, msg:'token异常'}` (HTTP 200), and
//! accepts its own family; an unsigned route never asks for a signature. Sockets: a frame signed
//! badly answers code 400 (401 without the ids, spec §1.2) and the socket closes.

use radar::config::MetricsBind;
use radar::http::routes::{self, Answer, Method, Mount, Route};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Principal, TestApp};
use crate::ws_client::signed;

/// The rows the test node serves.
pub fn served(app: &TestApp) -> Vec<&'static Route> {
    let mount = Mount {
        test_mode: app.settings.login.test_mode,
        metrics_here: app.settings.metrics.resolved() == MetricsBind::Main,
        statics: Default::default(),
    };
    routes::served(&mount).collect()
}

/// The route's path with every `{segment}` set to `1`.
pub fn concrete(route: &Route) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in route.path.chars() {
        match c {
            '{' => {
                depth += 1;
                out.push('1');
            }
            '}' => depth -= 1,
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

/// Calls `route` with `query` (and an empty form body on POST): status and body.
pub async fn call(app: &TestApp, route: &Route, query: &str) -> (u16, String) {
    let url = format!("{}{}?{query}", app.address, concrete(route));
    let request = match route.method {
        Method::Get => app.http.get(url),
        Method::Post => app
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(""),
    };
    let resp = request.send().await.expect("request");
    (resp.status().as_u16(), resp.text().await.expect("body"))
}

fn token_error() -> Value {
    json!({"code": 400, "msg": "token异常", "data": {}, "note": {}})
}

/// Every signed envelope route of the table.
fn signed_http(app: &TestApp) -> Vec<&'static Route> {
    served(app)
        .into_iter()
        .filter(|r| r.signed.is_some() && r.answer == Answer::Envelope)
        .collect()
}

/// One principal of each family, all of one live company.
struct Principals {
    customer: Principal,
    radar: Principal,
    admin: Principal,
}

impl Principals {
    async fn seed(app: &TestApp) -> Principals {
        let company = app.seed_company("矩阵公司").await;
        Principals {
            customer: app.seed_customer(company, Some("客户")).await,
            radar: app.seed_radar_user(company, "雷达").await,
            admin: app.seed_admin(company, 1).await,
        }
    }

    fn of(&self, family: radar::auth::Family) -> &Principal {
        use radar::auth::Family;
        match family {
            Family::Customer => &self.customer,
            Family::Radar => &self.radar,
            Family::Admin => &self.admin,
        }
    }

    /// A principal of another family (a different table; ids may coincide).
    fn not_of(&self, family: radar::auth::Family) -> &Principal {
        use radar::auth::Family;
        match family {
            Family::Customer => &self.radar,
            Family::Radar => &self.admin,
            Family::Admin => &self.customer,
        }
    }
}

/// Asserts every `(route, case)` answered exactly `token异常`, listing all that did not.
async fn assert_refused(app: &TestApp, cases: Vec<(&'static Route, &'static str, String)>) {
    let mut wrong = Vec::new();
    for (route, case, query) in &cases {
        let (status, body) = call(app, route, query).await;
        let answer: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        if status != 200 || answer != token_error() {
            wrong.push(format!(
                "{} {} ({case}): {status} {body}",
                route.method.lower(),
                route.path
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} refusals wrong:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}

#[actix_web::test]
async fn every_signed_route_refuses_missing_stale_forged_and_wrong_family_signatures() {
    let app = spawn_app().await;
    let who = Principals::seed(&app).await;
    let window_ms = app.settings.auth.timestamp_window_secs as i64 * 1000;
    let now = chrono::Utc::now().timestamp_millis();
    let mut cases = Vec::new();
    for route in signed_http(&app) {
        let family = route.signed.expect("signed");
        let me = who.of(family);
        let forged = Principal {
            id: me.id,
            token: "0123456789abcdef0123456789abcdef".to_owned(),
        };
        cases.push((route, "no signature", String::new()));
        cases.push((route, "user_id only", format!("user_id={}", me.id)));
        cases.push((route, "forged", forged.sign()));
        cases.push((
            route,
            "non-numeric user_id",
            me.sign().replacen("user_id=", "user_id=x", 1),
        ));
        cases.push((route, "wrong family", who.not_of(family).sign()));
        if window_ms > 0 {
            cases.push((route, "stale", me.sign_at(now - window_ms - 60_000)));
            cases.push((route, "future", me.sign_at(now + window_ms + 60_000)));
        }
    }
    assert!(
        cases.len() > 300,
        "the table lists the signed routes ({})",
        cases.len()
    );
    assert_refused(&app, cases).await;
}

#[actix_web::test]
async fn every_signed_route_accepts_its_own_family() {
    let app = spawn_app().await;
    let who = Principals::seed(&app).await;
    let mut wrong = Vec::new();
    for route in signed_http(&app) {
        let (status, body) = call(&app, route, &who.of(route.signed.expect("signed")).sign()).await;
        let answer: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        if answer == token_error() || status >= 500 {
            wrong.push(format!(
                "{} {}: {status} {body}",
                route.method.lower(),
                route.path
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "refused a good signature:\n{}",
        wrong.join("\n")
    );
}

#[actix_web::test]
async fn an_unsigned_route_never_asks_for_a_signature() {
    let app = spawn_app().await;
    let mut wrong = Vec::new();
    for route in served(&app)
        .into_iter()
        .filter(|r| r.signed.is_none() && r.answer == Answer::Envelope)
    {
        let (_, body) = call(&app, route, "").await;
        if serde_json::from_str::<Value>(&body).ok() == Some(token_error()) {
            wrong.push(route.path);
        }
    }
    assert!(wrong.is_empty(), "listed as unsigned but signed: {wrong:?}");
}

/// Principals revoked in each way issue 8.2 names, per family.
async fn revoked(app: &TestApp) -> Vec<(radar::auth::Family, &'static str, Principal)> {
    use radar::auth::Family;
    let live = app.seed_company("在营公司").await;
    let gone = app.seed_company("已删公司").await;
    let disabled_radar = app.seed_radar_user(live, "停用").await;
    let deleted_radar = app.seed_radar_user(live, "删除").await;
    let radar_of_gone = app.seed_radar_user(gone, "旧员工").await;
    let customer_of_gone = app.seed_customer(gone, Some("旧客户")).await;
    let disabled_admin = app.seed_admin(live, 2).await;
    let admin_of_gone = app.seed_admin(gone, 2).await;
    let db = app.client().await;
    for (sql, id) in [
        (
            "UPDATE radar_users SET status = 2 WHERE id = $1",
            disabled_radar.id,
        ),
        (
            "UPDATE radar_users SET status = 3 WHERE id = $1",
            deleted_radar.id,
        ),
        (
            "UPDATE admin_users SET status = 2 WHERE id = $1",
            disabled_admin.id,
        ),
        ("UPDATE companies SET status = 3 WHERE id = $1", gone),
    ] {
        db.execute(sql, &[&id]).await.expect("revoke");
    }
    vec![
        (Family::Radar, "disabled radar user", disabled_radar),
        (Family::Radar, "deleted radar user", deleted_radar),
        (
            Family::Radar,
            "radar user of a deleted company",
            radar_of_gone,
        ),
        (
            Family::Customer,
            "customer of a deleted company",
            customer_of_gone,
        ),
        (Family::Admin, "disabled admin", disabled_admin),
        (Family::Admin, "admin of a deleted company", admin_of_gone),
    ]
}

#[actix_web::test]
async fn every_signed_route_refuses_disabled_deleted_and_orphaned_principals() {
    let app = spawn_app().await;
    let mut cases = Vec::new();
    for (family, case, who) in revoked(&app).await {
        for route in signed_http(&app)
            .into_iter()
            .filter(|r| r.signed == Some(family))
        {
            cases.push((route, case, who.sign()));
        }
    }
    assert_refused(&app, cases).await;
}

#[actix_web::test]
async fn every_socket_refuses_badly_signed_frames_and_closes() {
    let app = spawn_app().await;
    let who = Principals::seed(&app).await;
    let now = chrono::Utc::now().timestamp_millis();
    let window_ms = app.settings.auth.timestamp_window_secs as i64 * 1000;
    let mut wrong = Vec::new();
    for route in served(&app)
        .into_iter()
        .filter(|r| r.answer == Answer::Socket)
    {
        let family = route.signed.expect("a socket's frames are signed");
        let me = who.of(family);
        let ids = json!({"type": "register", "u_id": who.radar.id, "customer_id": who.customer.id});
        // A frame without the ids is the legacy 401 (spec §1.2), the others 400.
        let mut frames = vec![
            ("no signature", ids.clone()),
            (
                "forged",
                signed(
                    &Principal {
                        id: me.id,
                        token: "forged".to_owned(),
                    },
                    ids.clone(),
                ),
            ),
            ("wrong family", signed(who.not_of(family), ids.clone())),
        ];
        if window_ms > 0 {
            let mut stale = signed(me, ids.clone());
            let ts = (now - window_ms - 60_000).to_string();
            stale["rand_str"] = json!(radar::auth::md5_hex(&format!("{ts}{}", me.token)));
            stale["timestamp"] = json!(ts);
            frames.push(("stale", stale));
        }
        for (case, frame) in frames {
            let mut ws = app.connect_ws(route.path).await;
            ws.send(frame).await;
            let answer = ws.next().await;
            let code = if case == "no signature" { 401 } else { 400 };
            if answer["code"] != code || !ws.closed().await {
                wrong.push(format!("{} ({case}): {answer}", route.path));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "sockets that took a bad frame:\n{}",
        wrong.join("\n")
    );
}
