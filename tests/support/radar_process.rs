//! The built `radar` binary run as an operator runs it: `radar serve` on a fresh database, settings
//! from `RADAR__…` variables, stderr captured to a file, stopped with SIGTERM.
#![allow(dead_code)] // each test binary uses part of it

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use radar::auth::md5_hex;
use serde_json::Value;

/// A running `radar serve` and its fresh database.
pub struct RadarProcess {
    child: Option<Child>,
    dir: tempfile::TempDir,
    log: PathBuf,
    address: String,
    database: String,
    db_url: String,
}

/// What [`RadarProcess::seed`] created.
pub struct Seed {
    pub company: i64,
    pub app_secret: String,
    pub radar_user: i64,
    pub radar_login: String,
    pub radar_token: String,
    pub admin_user: i64,
    pub admin_login: String,
    pub admin_token: String,
    /// A customer bound to the radar user, and its token.
    pub customer: i64,
    pub customer_token: String,
}

fn admin_url() -> String {
    std::env::var("RADAR_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// `radar_test_<uuid>`, created empty on the test server.
pub async fn create_database() -> String {
    let database = format!("radar_test_{}", uuid::Uuid::new_v4().simple());
    connect(&admin_url())
        .await
        .batch_execute(&format!("CREATE DATABASE {database}"))
        .await
        .expect("create test database");
    database
}

/// The URL of database `name` on the test server.
pub fn database_url(name: &str) -> String {
    format!("{}/{name}", admin_url().rsplit_once('/').unwrap().0)
}

/// Drops database `name` (best effort).
pub async fn drop_database(name: &str) {
    let _ = connect(&admin_url())
        .await
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await;
}

pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("test PostgreSQL reachable");
    tokio::spawn(conn);
    client
}

impl RadarProcess {
    /// Starts `radar serve` with `env` on top of: a fresh database, port 0, a private data dir.
    pub async fn start(env: &[(&str, &str)]) -> RadarProcess {
        let database = create_database().await;
        RadarProcess::start_on(database, env).await
    }

    /// Starts `radar serve` on the existing database `database` (dropped when stopped).
    pub async fn start_on(database: String, env: &[(&str, &str)]) -> RadarProcess {
        let db_url = database_url(&database);
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("radar.log");
        // The generated-files folder exists on a real install (issue 8 covers a missing one).
        std::fs::create_dir_all(dir.path().join("data/statics")).expect("statics dir");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_radar"));
        cmd.arg("serve")
            .current_dir(dir.path())
            .env_remove("RUST_LOG")
            .env("RADAR__DATABASE__URL", &db_url)
            .env("RADAR__SERVER__BIND", "127.0.0.1:0")
            .env("RADAR__STORAGE__DATA_DIR", dir.path().join("data"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"));
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("RADAR__")) {
            cmd.env_remove(key);
        }
        cmd.env("RADAR__DATABASE__URL", &db_url);
        for (key, value) in env {
            cmd.env(key, value);
        }
        let child = cmd.spawn().expect("radar binary starts");
        let mut process = RadarProcess {
            child: Some(child),
            dir,
            log,
            address: String::new(),
            database,
            db_url,
        };
        process.address = process.wait_listening().await;
        process
    }

    async fn wait_listening(&mut self) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let text = std::fs::read_to_string(&self.log).unwrap_or_default();
            if let Some(at) = text.find("Radar listening on http://") {
                let rest = &text[at + "Radar listening on ".len()..];
                let end = rest
                    .find(|c: char| c == '"' || c.is_whitespace())
                    .unwrap_or(rest.len());
                return rest[..end].to_owned();
            }
            let exited = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            assert!(exited.is_none(), "radar exited ({exited:?}):\n{text}");
            assert!(Instant::now() < deadline, "radar did not start:\n{text}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn address(&self) -> String {
        self.address.clone()
    }

    /// A company with its mini-program app, a radar user and an admin with these passwords.
    pub async fn seed(&self, radar_password: &str, admin_password: &str) -> Seed {
        let db = connect(&self.db_url).await;
        let company: i64 = db
            .query_one(
                "INSERT INTO companies (name, address, account_expired_time, website_content)
                 VALUES ('日志公司', '地址', now() + interval '1 year', '[]') RETURNING id",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        let app_secret = format!("app-secret-{}", uuid::Uuid::new_v4().simple());
        db.execute(
            "INSERT INTO mini_program_apps (company_id, authorization_appid, app_secret, version_num)
             VALUES ($1, 'wx4f4bc4dec97d474b', $2, '1.0.0')",
            &[&company, &app_secret],
        )
        .await
        .unwrap();
        let radar_login = format!("logs-radar-{company}");
        let radar_user: i64 = db
            .query_one(
                "INSERT INTO radar_users (username, login_user, company_id, position, mingpian_phone, status, token, password)
                 VALUES ('日志', $1, $2, '经理', '13900000000', 1, $3, $4) RETURNING id",
                &[&radar_login, &company, &md5_hex(&radar_login), &radar::password::hash(radar_password).unwrap()],
            )
            .await
            .unwrap()
            .get(0);
        let admin_login = format!("logs-admin-{company}");
        let admin_user: i64 = db.query_one(
            "INSERT INTO admin_users (login_user, username, password, company_id, role_id, token)
             VALUES ($1, $1, $2, $3, 1, $4) RETURNING id",
            &[
                &admin_login,
                &radar::password::hash(admin_password).unwrap(),
                &company,
                &md5_hex(&admin_login),
            ],
        )
        .await
        .unwrap()
        .get(0);
        let openid = format!("openid-seed-{company}");
        let customer: i64 = db
            .query_one(
                "INSERT INTO customers (company_id, openid, user_type, username, token)
                 VALUES ($1, $2, 2, '客户', $3) RETURNING id",
                &[&company, &openid, &md5_hex(&openid)],
            )
            .await
            .unwrap()
            .get(0);
        self.bind(radar_user, customer).await;
        Seed {
            company,
            app_secret,
            radar_user,
            radar_token: md5_hex(&radar_login),
            radar_login,
            admin_user,
            admin_token: md5_hex(&admin_login),
            admin_login,
            customer,
            customer_token: md5_hex(&openid),
        }
    }

    /// Binds a customer to a radar user (no greeting).
    pub async fn bind(&self, radar_user: i64, customer: i64) {
        connect(&self.db_url)
            .await
            .execute(
                "INSERT INTO customer_bindings (user_id, customer_id, source) VALUES ($1, $2, 1)
                 ON CONFLICT DO NOTHING",
                &[&radar_user, &customer],
            )
            .await
            .unwrap();
    }

    /// Stops the server with SIGTERM, drops its database, and returns everything it logged.
    pub async fn stop_and_read(self) -> String {
        let database = self.database.clone();
        let log = self.stop_keeping_database().await;
        drop_database(&database).await;
        log
    }

    /// Stops the server with SIGTERM and returns its log; the database stays.
    pub async fn stop_keeping_database(mut self) -> String {
        if let Some(mut child) = self.child.take() {
            let pid = nix::unistd::Pid::from_raw(child.id() as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
            let deadline = Instant::now() + Duration::from_secs(15);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// [`stop_and_read`](Self::stop_and_read), each line parsed as JSON (a line that is not is a
    /// failure).
    pub async fn stop_and_read_json_lines(self) -> Vec<Value> {
        let text = self.stop_and_read().await;
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}"))
            })
            .collect()
    }

    /// Sends `signal` to the server (a fault test's SIGKILL or SIGTERM).
    pub fn signal(&self, signal: nix::sys::signal::Signal) {
        if let Some(child) = &self.child {
            let pid = nix::unistd::Pid::from_raw(child.id() as i32);
            let _ = nix::sys::signal::kill(pid, signal);
        }
    }

    /// Waits (at most `limit`) for the server to exit: its exit status, or `None` if it still runs.
    pub async fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            let status = self.child.as_mut()?.try_wait().ok().flatten();
            if status.is_some() {
                self.child = None;
                return status;
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Everything the server logged so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The database's URL.
    pub fn database_url(&self) -> String {
        self.db_url.clone()
    }

    /// The temporary directory (cwd and data dir of the process).
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }
}

impl Drop for RadarProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Signs requests and socket frames (spec §2.2), remembering every `rand_str` it made.
#[derive(Default)]
pub struct Signer {
    pub rand_strs: Vec<String>,
}

impl Signer {
    fn triple(&mut self, token: &str) -> (String, String) {
        let ts = chrono::Utc::now().timestamp_millis().to_string();
        let rand = md5_hex(&format!("{ts}{token}"));
        self.rand_strs.push(rand.clone());
        (ts, rand)
    }

    /// `user_id=…&timestamp=…&rand_str=…`.
    pub fn sign(&mut self, user_id: i64, token: &str) -> String {
        let (ts, rand) = self.triple(token);
        format!("user_id={user_id}&timestamp={ts}&rand_str={rand}")
    }

    /// `frame` with the triple added.
    pub fn frame(&mut self, user_id: i64, token: &str, mut frame: Value) -> Value {
        let (ts, rand) = self.triple(token);
        frame["user_id"] = user_id.into();
        frame["timestamp"] = ts.into();
        frame["rand_str"] = rand.into();
        frame
    }
}
