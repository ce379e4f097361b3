//! The README as a user follows it: `./scripts/serve.sh` on the embedded default, the printed signed
//! request, the login example of each principal and the frame examples of each socket (read from
//! README.md itself, so they cannot drift), and `./scripts/radar` beside the server.
//!
//! `scripts/radar` builds the release binary with cargo before running it; a release build inside
//! the test suite would take many minutes, so these tests put a stand-in `cargo` first on PATH that
//! records its arguments and "builds" by copying the test's binary into `CARGO_TARGET_DIR`.

#[path = "support/cli_process.rs"]
mod cli_process;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use cli_process::{
    cluster_running, command, embedded_dir_or_skip, get_json, run_ok, Server, RADAR,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

const MINUTE: Duration = Duration::from_secs(60);
const README: &str = include_str!("../README.md");
/// The address the README's examples use.
const README_BASE: &str = "http://127.0.0.1:8000";

/// A directory with a stand-in `cargo` and the target directory it "builds" into.
struct FakeCargo {
    dir: tempfile::TempDir,
}

impl FakeCargo {
    fn new() -> FakeCargo {
        let dir = tempfile::tempdir().expect("tempdir");
        let script = format!(
            // Like cargo, an up-to-date binary is left as it is (it may be running).
            "#!/bin/sh\necho \"$@\" >> '{log}'\nmkdir -p \"$CARGO_TARGET_DIR/release\"\n[ -x \"$CARGO_TARGET_DIR/release/radar\" ] || cp '{RADAR}' \"$CARGO_TARGET_DIR/release/radar\"\n",
            log = dir.path().join("cargo.log").display()
        );
        let cargo = dir.path().join("bin/cargo");
        std::fs::create_dir_all(cargo.parent().expect("bin")).expect("bin dir");
        std::fs::write(&cargo, script).expect("fake cargo");
        std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        FakeCargo { dir }
    }

    /// `scripts/<name> <args>` with the stand-in cargo.
    fn script(&self, name: &str, args: &[&str]) -> Command {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scripts")
            .join(name);
        let mut cmd = command(path.to_str().expect("utf-8 path"), args);
        let path_var = format!(
            "{}:{}",
            self.dir.path().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        cmd.env("PATH", path_var)
            .env("CARGO_TARGET_DIR", self.dir.path().join("target"))
            .current_dir(std::env::temp_dir());
        cmd
    }

    fn calls(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("cargo.log")).unwrap_or_default()
    }
}

#[test]
fn scripts_radar_builds_the_release_binary_then_runs_it_with_the_arguments() {
    let cargo = FakeCargo::new();

    let (out, _) = run_ok(&mut cargo.script("radar", &["admin", "--help"]), MINUTE);
    let (expected, _) = run_ok(&mut command(RADAR, &["admin", "--help"]), MINUTE);

    assert_eq!(cargo.calls().trim(), "build --release --bin radar");
    assert_eq!(out, expected);
}

/// The README section `title` (from its heading to the next `## `).
fn section(title: &str) -> &'static str {
    let start = README
        .find(&format!("## {title}"))
        .unwrap_or_else(|| panic!("README has no section {title:?}"));
    let rest = &README[start + 3..];
    &README[start..start + 3 + rest.find("\n## ").unwrap_or(rest.len())]
}

/// The lines of the fenced blocks of `lang` in `text`.
fn block_lines(text: &'static str, lang: &str) -> Vec<&'static str> {
    let open = format!("```{lang}\n");
    let mut lines = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(&open) {
        let body = &rest[at + open.len()..];
        let end = body.find("```").expect("a closed block");
        lines.extend(body[..end].lines());
        rest = &body[end..];
    }
    lines
}

/// A README `curl` line: method, URL and form body (`-X POST '…' -d '…'`).
fn parse_curl(line: &str) -> (String, String, Option<String>) {
    let mut words = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('\'') {
            let end = quoted.find('\'').expect("a closing quote");
            words.push(quoted[..end].to_owned());
            rest = quoted[end + 1..].trim_start();
        } else {
            let end = rest.find(' ').unwrap_or(rest.len());
            words.push(rest[..end].to_owned());
            rest = rest[end..].trim_start();
        }
    }
    assert_eq!(words.first().map(String::as_str), Some("curl"), "{line}");
    let flag = |f: &str| {
        words
            .iter()
            .position(|w| w == f)
            .map(|i| words[i + 1].clone())
    };
    let url = words
        .iter()
        .find(|w| w.starts_with("http"))
        .expect("a URL")
        .clone();
    (
        flag("-X").unwrap_or_else(|| "GET".to_owned()),
        url,
        flag("-d"),
    )
}

/// Runs one README curl line against `base`; returns the JSON envelope.
async fn run_curl(line: &str, base: &str) -> Value {
    let (method, url, body) = parse_curl(line);
    let url = url.replace(README_BASE, base);
    let client = reqwest::Client::new();
    let request = match method.as_str() {
        "POST" => client
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.unwrap_or_default()),
        _ => client.get(&url),
    };
    let resp = request.send().await.expect("request");
    assert_eq!(resp.status().as_u16(), 200, "{line}");
    resp.json().await.expect("JSON")
}

/// Who signs a socket's frames.
struct Signer {
    id: i64,
    token: String,
}

/// The ids and tokens the README's placeholders stand for.
struct Principals {
    customer: Signer,
    radar: Signer,
}

impl Principals {
    /// A README frame with its placeholders filled in for `signer`.
    fn fill(&self, frame: &str, signer: &Signer) -> String {
        let ts = chrono::Utc::now().timestamp_millis().to_string();
        let rand = radar::auth::md5_hex(&format!("{ts}{}", signer.token));
        frame
            .replace("\"CID\"", &format!("\"{}\"", self.customer.id))
            .replace("\"UID\"", &format!("\"{}\"", self.radar.id))
            .replace("\"TS\"", &format!("\"{ts}\""))
            .replace("\"RAND\"", &format!("\"{rand}\""))
    }
}

/// Reads frames until one has every key/value of `expected` (pushes may come in between).
async fn expect_frame<S>(ws: &mut S, expected: &Value, context: &str)
where
    S: StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    let wanted = expected.as_object().expect("an object");
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let next = tokio::time::timeout_at(deadline, ws.next()).await;
        let Ok(Some(Ok(Message::Text(text)))) = next else {
            panic!("{context}: no frame like {expected} (got {seen:?}, then {next:?})");
        };
        let frame: Value = serde_json::from_str(&text).expect("a JSON frame");
        if wanted.iter().all(|(k, v)| &frame[k] == v) {
            return;
        }
        seen.push(frame);
    }
}

/// Sends every README socket example to `base` and checks each answer.
async fn run_socket_examples(base: &str, who: &Principals) {
    let ws_base = base.replace("http://", "ws://");
    let mut current = None;
    let mut sockets = 0;
    for line in block_lines(section("Try it"), "text") {
        if line.starts_with("WS-") {
            let mut words = line.split_whitespace();
            let name = words.next().expect("a name").to_owned();
            let url = words
                .next()
                .expect("a URL")
                .replace("ws://127.0.0.1:8000", &ws_base);
            let (ws, _) = tokio_tungstenite::connect_async(&url)
                .await
                .expect("connect");
            let signer = if line.ends_with("signed by the customer") {
                &who.customer
            } else {
                &who.radar
            };
            current = Some((name, ws, signer));
            sockets += 1;
        } else if let Some(frame) = line.strip_prefix("> ") {
            let (name, ws, signer) = current.as_mut().expect("a socket line first");
            let filled = who.fill(frame, signer);
            ws.send(Message::Text(filled.clone())).await.expect("send");
            *name = format!("{} {filled}", name.split(' ').next().unwrap_or_default());
        } else if let Some(answer) = line.strip_prefix("< ") {
            let (name, ws, _) = current.as_mut().expect("a socket line first");
            let expected: Value = serde_json::from_str(answer).expect("README answer is JSON");
            expect_frame(ws, &expected, name).await;
        }
    }
    assert_eq!(
        sockets, 4,
        "one example per socket: WS-M, WS-R1, WS-R2, WS-R3"
    );
}

/// Runs the README's login examples against `base`; returns the customer and radar principals.
async fn run_login_examples(base: &str) -> Principals {
    let curls: Vec<&str> = block_lines(section("Try it"), "sh")
        .into_iter()
        .filter(|l| l.starts_with("curl "))
        .collect();
    assert_eq!(curls.len(), 3, "one login per principal");
    let mut answers = Vec::new();
    for line in curls {
        let body = run_curl(line, base).await;
        assert_eq!(body["code"], 200, "{line} → {body}");
        assert!(
            body["data"]["token"]
                .as_str()
                .is_some_and(|t| t.len() == 32),
            "{body}"
        );
        answers.push(body);
    }
    let signer = |body: &Value, id: &str| Signer {
        id: body["data"][id].as_i64().expect("an id"),
        token: body["data"]["token"].as_str().expect("a token").to_owned(),
    };
    Principals {
        customer: signer(&answers[0], "cid"),
        radar: signer(&answers[1], "user_id"),
    }
}

#[tokio::test]
async fn the_readme_walkthrough_works_against_serve_sh() {
    // Arrange: ./scripts/serve.sh on a fresh data dir.
    let Some(tmp) = embedded_dir_or_skip() else {
        return;
    };
    let data = tmp.path().join("data");
    let cargo = FakeCargo::new();
    let mut serve = cargo.script("serve.sh", &[]);
    serve.env("RADAR__STORAGE__DATA_DIR", &data);
    let mut server = Server::start(&mut serve, 2 * MINUTE);
    let example = server.example_url();

    // Act + Assert: the printed request, the logins, the sockets.
    let (status, card) = get_json(&example).await;
    assert_eq!((status, &card["code"]), (200, &Value::from(200)), "{card}");
    let who = run_login_examples(&server.base).await;
    run_socket_examples(&server.base, &who).await;

    // ./scripts/radar beside it: the README's bootstrap; the server keeps answering.
    let mut bootstrap = cargo.script(
        "radar",
        &[
            "admin",
            "bootstrap",
            "--company",
            "ACME",
            "--username",
            "acme",
            "--password",
            "S3cret-pass",
        ],
    );
    bootstrap.env("RADAR__STORAGE__DATA_DIR", &data);
    let (out, _) = run_ok(&mut bootstrap, MINUTE);
    let ids: Value = serde_json::from_str(out.trim()).expect("JSON on stdout");
    assert!(
        ids["company_id"].is_i64() && ids["admin_user_id"].is_i64(),
        "{ids}"
    );
    let (status, _) = get_json(&example).await;
    assert_eq!(status, 200);

    server.stop();
    assert!(!cluster_running(&data), "serve.sh left the cluster running");
}
