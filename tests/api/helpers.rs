//! `spawn_app`: a real Radar node on a random port, with its own fresh database and a fake WeChat
//! server, plus seeding and signed-request helpers.
//!
//! Clean-up: a `TestApp` drops its database and removes its data directory when it is dropped (at
//! the end of the test, also when the test fails); naming in `tests/support/test_db.rs`.

use std::net::TcpListener;

use radar::auth::md5_hex;
use radar::config::{Settings, WechatMode};
use radar::startup::{build_state, prepare_database, run};
use serde_json::Value;
use wiremock::MockServer;

use crate::test_db;

pub use crate::test_db::create_database;

/// A running node.
#[allow(dead_code)] // `settings` is read by some test modules only
pub struct TestApp {
    pub address: String,
    pub db: deadpool_postgres::Pool,
    pub wechat: MockServer,
    pub http: reqwest::Client,
    pub settings: Settings,
    /// The node's shared state, for calling library functions directly.
    pub state: radar::state::AppState,
}

/// A signed principal: its id and token.
#[derive(Debug, Clone)]
pub struct Principal {
    pub id: i64,
    pub token: String,
}

impl Principal {
    /// `user_id=…&timestamp=<now ms>&rand_str=md5(timestamp+token)`.
    pub fn sign(&self) -> String {
        self.sign_at(chrono::Utc::now().timestamp_millis())
    }

    /// The triple for a given timestamp.
    pub fn sign_at(&self, ts: i64) -> String {
        format!(
            "user_id={}&timestamp={ts}&rand_str={}",
            self.id,
            md5_hex(&format!("{ts}{}", self.token))
        )
    }
}

/// Settings for a test node: fresh database, port 0, WeChat at the mock.
pub async fn test_settings(wechat: &MockServer) -> Settings {
    let mut s =
        Settings::load(Some(std::path::Path::new("config.toml"))).expect("config.toml loads");
    s.database.url = create_database().await;
    s.database.pool_size = 8;
    s.server.bind = "127.0.0.1:0".to_owned();
    s.server.workers = 1;
    s.wechat.mode = WechatMode::Live;
    s.wechat.api_base = wechat.uri();
    s.wechat.timeout_ms = 2000;
    s.storage.data_dir = test_db::data_dir();
    // Dozens of debug-built nodes share two cores here, so their loops do run late; admission by
    // loop lag is tested on its own (delivery.rs) and by the release binary's tests.
    s.chat.admission_lag_ms = 0;
    s
}

/// Spawns a node with default test settings.
pub async fn spawn_app() -> TestApp {
    let wechat = MockServer::start().await;
    let settings = test_settings(&wechat).await;
    spawn_with(settings, wechat).await
}

/// Spawns a node with the given settings.
pub async fn spawn_with(settings: Settings, wechat: MockServer) -> TestApp {
    let database = prepare_database(&settings)
        .await
        .expect("database prepared");
    let listener = TcpListener::bind(&settings.server.bind).expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let state = build_state(settings.clone(), database.pool.clone()).expect("state");
    let server = run(listener, state.clone()).expect("server");
    actix_web::rt::spawn(server);
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        db: database.pool,
        wechat,
        http: reqwest::Client::new(),
        settings,
        state,
    }
}

impl Drop for TestApp {
    /// Drops the test's database and removes its data directory.
    fn drop(&mut self) {
        test_db::drop_database(&self.settings.database.url);
        test_db::remove_data_dir(&self.settings.storage.data_dir);
    }
}

impl TestApp {
    /// The fake WeChat hands out access token `token` (stable_token, any app, any number of times).
    pub async fn mount_access_token(&self, token: &str) {
        wiremock::Mock::given(wiremock::matchers::method("POST"))
            .and(wiremock::matchers::path("/cgi-bin/stable_token"))
            .respond_with(
                wiremock::ResponseTemplate::new(200)
                    .set_body_string(format!(r#"{{"access_token":"{token}","expires_in":7200}}"#)),
            )
            .mount(&self.wechat)
            .await;
    }

    /// A pooled database client.
    pub async fn client(&self) -> deadpool_postgres::Object {
        self.db.get().await.expect("pool")
    }

    /// GET `path?query`; asserts HTTP 200 and returns the JSON envelope.
    pub async fn get(&self, path: &str, query: &str) -> Value {
        let (status, body) = self.get_raw(path, query).await;
        assert_eq!(status, 200, "GET {path}?{query} → {status}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}"))
    }

    /// GET returning status and body text.
    pub async fn get_raw(&self, path: &str, query: &str) -> (u16, String) {
        let url = format!("{}{path}?{query}", self.address);
        let resp = self.http.get(url).send().await.expect("request");
        (resp.status().as_u16(), resp.text().await.expect("body"))
    }

    /// Signed GET of the mini-program family.
    pub async fn get_signed(&self, path: &str, who: &Principal, extra: &str) -> Value {
        self.get(path, &format!("{}&{extra}", who.sign())).await
    }

    /// POST a form; asserts HTTP 200 and returns the envelope.
    pub async fn post_form(&self, path: &str, query: &str, form: &[(&str, &str)]) -> Value {
        let url = format!("{}{path}?{query}", self.address);
        let resp = self
            .http
            .post(url)
            .form(form)
            .send()
            .await
            .expect("request");
        let status = resp.status().as_u16();
        let body = resp.text().await.expect("body");
        assert_eq!(status, 200, "POST {path} → {status}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}"))
    }

    /// Signed form POST.
    pub async fn post_signed(
        &self,
        path: &str,
        who: &Principal,
        extra: &str,
        form: &[(&str, &str)],
    ) -> Value {
        self.post_form(path, &format!("{}&{extra}", who.sign()), form)
            .await
    }

    /// A live company (expires in a year) with a mini-program app; returns its id.
    pub async fn seed_company(&self, name: &str) -> i64 {
        let db = self.client().await;
        let id: i64 = db
            .query_one(
                "INSERT INTO companies (name, address, account_expired_time, website_content)
                 VALUES ($1, '地址', now() + interval '1 year', '[{\"type\":\"content\",\"data\":[]}]') RETURNING id",
                &[&name],
            )
            .await
            .expect("company")
            .get(0);
        db.execute(
            "INSERT INTO mini_program_apps (company_id, authorization_appid, app_secret, version_num)
             VALUES ($1, 'wx4f4bc4dec97d474b', $2, '1.0.0')",
            &[&id, &format!("secret-of-{id}")],
        )
        .await
        .expect("app");
        id
    }

    /// An enabled radar user of `company`.
    pub async fn seed_radar_user(&self, company: i64, username: &str) -> Principal {
        let db = self.client().await;
        let token = md5_hex(&format!("radar-{username}-{company}"));
        let id: i64 = db
            .query_one(
                "INSERT INTO radar_users (username, login_user, company_id, position, mingpian_phone, status, token)
                 VALUES ($1, $2, $3, '经理', '13900000000', 1, $4) RETURNING id",
                &[&username, &format!("{username}-{company}"), &company, &token],
            )
            .await
            .expect("radar user")
            .get(0);
        Principal { id, token }
    }

    /// A mini-program customer of `company`, with a nickname if given.
    pub async fn seed_customer(&self, company: i64, nickname: Option<&str>) -> Principal {
        let db = self.client().await;
        let openid = format!("openid-{}", uuid::Uuid::new_v4().simple());
        let token = md5_hex(&openid);
        let id: i64 = db
            .query_one(
                "INSERT INTO customers (company_id, openid, user_type, username, token)
                 VALUES ($1, $2, 2, $3, $4) RETURNING id",
                &[&company, &openid, &nickname, &token],
            )
            .await
            .expect("customer")
            .get(0);
        Principal { id, token }
    }

    /// Binds a customer to a radar user directly (no greeting).
    pub async fn seed_binding(&self, radar_user: i64, customer: i64) {
        self.client()
            .await
            .execute(
                "INSERT INTO customer_bindings (user_id, customer_id, source) VALUES ($1, $2, 1)",
                &[&radar_user, &customer],
            )
            .await
            .expect("binding");
    }

    /// One integer from a query.
    pub async fn scalar(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> i64 {
        self.client()
            .await
            .query_one(sql, params)
            .await
            .expect("scalar query")
            .get(0)
    }
}

/// Back-office (admin) helpers: seeding admins and signed admin calls.
impl TestApp {
    /// Password of every seeded admin (stored as the original's legacy md5, upgraded at login).
    pub const ADMIN_PASSWORD: &'static str = "Admin1234";

    /// An enabled admin of `company` with role 1, 2 or 3 and a random login name.
    pub async fn seed_admin(&self, company: i64, role: i64) -> Principal {
        let login = format!("admin-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        self.seed_admin_as(company, role, &login).await
    }

    /// An enabled admin logging in as `login_user` with `ADMIN_PASSWORD`.
    pub async fn seed_admin_as(&self, company: i64, role: i64, login_user: &str) -> Principal {
        let token = md5_hex(&format!("admin-token-{login_user}"));
        let id: i64 = self
            .client()
            .await
            .query_one(
                "INSERT INTO admin_users (login_user, username, password, company_id, role_id, token)
                 VALUES ($1, $1, $2, $3, $4, $5) RETURNING id",
                &[&login_user, &md5_hex(Self::ADMIN_PASSWORD), &company, &role, &token],
            )
            .await
            .expect("admin")
            .get(0);
        Principal { id, token }
    }

    /// Signed GET of `/zhugeleida/admin{path}`.
    pub async fn admin_get(&self, path: &str, who: &Principal, extra: &str) -> Value {
        self.get_signed(&format!("/zhugeleida/admin{path}"), who, extra)
            .await
    }

    /// Signed form POST to `/zhugeleida/admin{path}`.
    pub async fn admin_post(
        &self,
        path: &str,
        who: &Principal,
        extra: &str,
        form: &[(&str, &str)],
    ) -> Value {
        self.post_signed(&format!("/zhugeleida/admin{path}"), who, extra, form)
            .await
    }
}

/// A superuser connection to the test PostgreSQL (outside any test database).
pub async fn admin_client() -> tokio_postgres::Client {
    let (client, conn) =
        tokio_postgres::connect(&test_db::admin_database_url(), tokio_postgres::NoTls)
            .await
            .expect("test PostgreSQL reachable");
    actix_web::rt::spawn(conn);
    client
}
