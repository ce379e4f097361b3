//! The embedded default end to end: `radar serve` with no configuration starts its own PostgreSQL,
//! loads the demo, prints a signed example request that works, stops on SIGTERM, and keeps its data
//! across a restart.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Starts `radar serve` on a random port with `data_dir`; returns the child and its example request URL.
fn start(data_dir: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_radar"))
        .arg("serve")
        .env_remove("RADAR__DATABASE__URL")
        .env("RADAR__STORAGE__DATA_DIR", data_dir)
        .env("RADAR__SERVER__BIND", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .current_dir(std::env::temp_dir())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("radar binary starts");
    let stderr = child.stderr.take().expect("stderr piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(start) = line.find("curl '") {
                let url = line[start + 6..].trim_end_matches('\'').to_owned();
                let _ = tx.send(url);
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("example request printed");
    (child, url)
}

fn stop(mut child: Child) {
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("signal");
    for _ in 0..300 {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "radar exited with {status}");
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("radar did not stop within 30 s of SIGTERM");
}

fn popularity(url: &str) -> i64 {
    let body: serde_json::Value = reqwest::blocking_get(url);
    assert_eq!(body["code"], 200, "{body}");
    body["data"]["ret_data"]["popularity_num"]
        .as_i64()
        .expect("popularity")
}

mod reqwest {
    /// A tiny blocking GET on a throwaway runtime (the test itself is synchronous).
    pub fn blocking_get(url: &str) -> serde_json::Value {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            ::reqwest::get(url)
                .await
                .expect("GET")
                .json()
                .await
                .expect("JSON")
        })
    }
}

#[test]
fn the_embedded_default_serves_the_demo_and_keeps_its_data_across_restarts() {
    if !radar::embedded::binaries_available() {
        eprintln!("skipped: no PostgreSQL server binaries on this machine");
        return;
    }
    let dir = tempfile::Builder::new()
        .prefix("radar-embedded-")
        .tempdir_in("/tmp")
        .expect("tempdir");
    let (child, url) = start(dir.path());
    assert_eq!(popularity(&url), 1);
    stop(child);

    let (child, url) = start(dir.path());
    assert_eq!(popularity(&url), 2, "the first view survived the restart");
    stop(child);
}
