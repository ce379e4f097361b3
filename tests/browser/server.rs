//! `radar serve` as a child process on its own fresh database (demo data loaded, simulator on,
//! WeChat in dev mode), which a test can stop and start again on the same port.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running (or stopped) radar node.
pub struct Server {
    pub base: String,
    port: u16,
    database_url: String,
    database: String,
    data_dir: tempfile::TempDir,
    child: Option<Child>,
}

fn admin_url() -> String {
    std::env::var("RADAR_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

async fn admin_sql(sql: &str) {
    let (client, conn) = tokio_postgres::connect(&admin_url(), tokio_postgres::NoTls)
        .await
        .expect("test PostgreSQL reachable (scripts/test.sh starts one)");
    let task = tokio::spawn(conn);
    client.batch_execute(sql).await.expect(sql);
    drop(client);
    let _ = task.await;
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Server {
    /// A fresh database with the demo loaded (`radar demo`), then `radar serve`.
    pub async fn start() -> Server {
        let database = format!("radar_test_{}", uuid::Uuid::new_v4().simple());
        admin_sql(&format!("CREATE DATABASE {database}")).await;
        let base_url = admin_url();
        let (prefix, _) = base_url.rsplit_once('/').expect("URL names a database");
        let port = free_port();
        let mut server = Server {
            base: format!("http://127.0.0.1:{port}"),
            port,
            database_url: format!("{prefix}/{database}"),
            database,
            data_dir: tempfile::tempdir().expect("tempdir"),
            child: None,
        };
        let demo = server
            .command()
            .arg("demo")
            .output()
            .expect("radar demo runs");
        assert!(
            demo.status.success(),
            "radar demo: {}",
            String::from_utf8_lossy(&demo.stderr)
        );
        server.spawn();
        server
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_radar"));
        cmd.env("RADAR__DATABASE__URL", &self.database_url)
            .env("RADAR__DATABASE__POOL_SIZE", "4")
            .env("RADAR__SERVER__BIND", format!("127.0.0.1:{}", self.port))
            .env("RADAR__SERVER__WORKERS", "1")
            .env("RADAR__WECHAT__MODE", "dev")
            .env("RADAR__CONSOLE__SIMULATOR", "on")
            .env("RADAR__STORAGE__DATA_DIR", self.data_dir.path())
            .env("RUST_LOG", "info")
            .current_dir(self.data_dir.path());
        cmd
    }

    /// Starts `radar serve` and waits until its log names the console and the simulator (the
    /// README promises both lines).
    pub fn spawn(&mut self) {
        let mut child = self
            .command()
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("radar serve starts");
        let stderr = child.stderr.take().expect("stderr piped");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                for key in ["radar console: ", "customer simulator: "] {
                    if let Some(at) = line.find(key) {
                        let _ = tx.send(line[at..].to_owned());
                    }
                }
                eprintln!("[radar] {line}");
            }
        });
        self.child = Some(child);
        let wait = Duration::from_secs(60);
        let console = rx.recv_timeout(wait).expect("the log names the console");
        let simulator = rx.recv_timeout(wait).expect("the log names the simulator");
        assert_eq!(console, format!("radar console: {}/console/", self.base));
        assert_eq!(
            simulator,
            format!("customer simulator: {}/console/simulator", self.base)
        );
        let deadline = Instant::now() + wait;
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "radar serve did not listen within 60 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM, and waits for the process to end.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(30);
        while child.try_wait().expect("wait").is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Drops the database (after stopping the process).
    pub async fn finish(mut self) {
        self.stop();
        admin_sql(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.database
        ))
        .await;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // A failed test still stops its process; its database goes with the next test.sh run.
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
