//! The built `radar` binary (or a script in front of it) run as a user runs it: a command that runs
//! to its end, or a server read from its log until it says where it listens, stopped with SIGTERM.

#![allow(dead_code)] // each test binary uses a part

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// The binary under test.
pub const RADAR: &str = env!("CARGO_BIN_EXE_radar");

/// `radar <args>` (or `program <args>`) with a clean Radar environment: no `RADAR__*` variable of
/// the caller's shell leaks in, the server binds a free port, logs at info without colours.
pub fn command(program: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("RADAR__") {
            cmd.env_remove(key);
        }
    }
    cmd.env("RADAR__SERVER__BIND", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    cmd
}

/// Runs `cmd` to its end (at most `limit`), returning its output.
pub fn run(cmd: &mut Command, limit: Duration) -> Output {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the program starts");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("{cmd:?} did not finish within {limit:?}"))
        .expect("the program's output")
}

/// `run` for a command that must succeed; returns (stdout, stderr).
pub fn run_ok(cmd: &mut Command, limit: Duration) -> (String, String) {
    let out = run(cmd, limit);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    (stdout, stderr)
}

/// A temp dir `/tmp/<prefix>…` that the `postgres` account can enter when the tests run as root
/// (the embedded cluster then runs as that account). Removed when dropped.
pub fn reachable_tempdir(prefix: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in("/tmp")
        .expect("creating a temp dir under /tmp");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
        .expect("opening the temp dir to the postgres account");
    dir
}

/// A temp dir for an embedded default, or `None` (with a note) where this machine has no
/// PostgreSQL server binaries.
pub fn embedded_dir_or_skip() -> Option<tempfile::TempDir> {
    if radar::embedded::binaries_available() {
        Some(reachable_tempdir("radar-cli-"))
    } else {
        eprintln!("skipped: no PostgreSQL server binaries on this machine");
        None
    }
}

/// A running server; SIGTERM (then SIGKILL) when dropped.
pub struct Server {
    child: Option<Child>,
    lines: Receiver<String>,
    /// Every log line read so far.
    pub log: Vec<String>,
    /// `http://127.0.0.1:<port>` from "Radar listening on …".
    pub base: String,
}

impl Server {
    /// Starts `cmd` and waits (at most `limit`) for "Radar listening on http://…".
    pub fn start(cmd: &mut Command, limit: Duration) -> Server {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let stderr = child.stderr.take().expect("stderr piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(strip_ansi(&line)).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child: Some(child),
            lines,
            log: Vec::new(),
            base: String::new(),
        };
        let line = server.wait_for("Radar listening on http://", limit);
        let at = line.find("http://").expect("a URL");
        server.base = line[at..].trim().to_owned();
        server
    }

    /// The next log line containing `needle` (at most `limit` from now).
    pub fn wait_for(&mut self, needle: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.log.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no log line with {needle:?} within {limit:?}; log so far:\n{}",
                    self.log.join("\n")
                ),
            }
        }
    }

    /// The example request the embedded default prints ("curl '<url>'").
    pub fn example_url(&mut self) -> String {
        let line = self.wait_for("curl '", Duration::from_secs(30));
        let at = line.find("curl '").expect("curl") + "curl '".len();
        line[at..].trim_end().trim_end_matches('\'').to_owned()
    }

    /// SIGTERM, then waits (at most 30 s) for a successful exit; answers the whole log.
    pub fn stop(mut self) -> Vec<String> {
        let mut child = self.child.take().expect("running");
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("signal");
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(status) = child.try_wait().expect("wait") {
                assert!(status.success(), "the server exited with {status}");
                // The reader thread ends at the end of stderr.
                while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
                    self.log.push(line);
                }
                return std::mem::take(&mut self.log);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server did not stop within 30 s of SIGTERM");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        for _ in 0..100 {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// `line` without ANSI colour sequences (`ESC [ … m`).
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(|c| c.is_ascii_alphabetic());
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether a PostgreSQL server runs on the embedded cluster of `data_dir` (its postmaster.pid names
/// a live process).
pub fn cluster_running(data_dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(data_dir.join("postgres/postmaster.pid")) else {
        return false;
    };
    let Some(pid) = text
        .lines()
        .next()
        .and_then(|l| l.trim().parse::<i32>().ok())
    else {
        return false;
    };
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
}

/// GET `url` → (HTTP status, JSON body or Null).
pub async fn get_json(url: &str) -> (u16, serde_json::Value) {
    let resp = reqwest::get(url).await.expect("GET");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}

/// POST a form to `url` → (HTTP status, JSON body or Null).
pub async fn post_form(url: &str, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let resp = reqwest::Client::new()
        .post(url)
        .form(form)
        .send()
        .await
        .expect("POST");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}
