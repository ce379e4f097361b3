//! The README's commands on the embedded default, run as a user runs them: `radar serve` in one
//! terminal, `radar migrate`, `radar demo` and `radar admin bootstrap` in another against the same
//! data directory. The commands use the running cluster and leave it running (they used to stop
//! it, and the server answered 500 until restarted); the server stops it when it stops.

#[path = "support/cli_process.rs"]
mod cli_process;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use cli_process::{
    cluster_running, command, embedded_dir_or_skip, get_json, post_form, run_ok, Server, RADAR,
};

const MINUTE: Duration = Duration::from_secs(60);

/// `radar <args>` on the embedded default in `data_dir`.
fn radar(data_dir: &Path, args: &[&str]) -> Command {
    let mut cmd = command(RADAR, args);
    cmd.env("RADAR__STORAGE__DATA_DIR", data_dir)
        .current_dir(std::env::temp_dir());
    cmd
}

/// Asserts the server still serves a real endpoint: the demo customer's signed card request.
async fn assert_still_serving(example: &str, after: &str) {
    let (status, body) = get_json(example).await;
    assert_eq!(status, 200, "after {after}: HTTP {status} {body}");
    assert_eq!(body["code"], 200, "after {after}: {body}");
}

#[tokio::test]
async fn commands_run_beside_serve_use_its_cluster_and_leave_it_running() {
    // Arrange: `radar serve` on a fresh embedded default (demo loaded on its first start).
    let Some(tmp) = embedded_dir_or_skip() else {
        return;
    };
    let data = tmp.path().join("data");
    let mut server = Server::start(&mut radar(&data, &["serve"]), 2 * MINUTE);
    let example = server.example_url();
    assert_still_serving(&example, "the start").await;

    // Act + Assert: each command beside it.
    let (_, log) = run_ok(&mut radar(&data, &["migrate"]), MINUTE);
    assert!(log.contains("migrations applied"), "{log}");
    assert_still_serving(&example, "radar migrate").await;

    let (_, log) = run_ok(&mut radar(&data, &["demo"]), MINUTE);
    assert!(
        log.contains("loaded=false"),
        "the demo is there already: {log}"
    );
    assert_still_serving(&example, "radar demo").await;

    let (out, _) = run_ok(
        &mut radar(
            &data,
            &[
                "admin",
                "bootstrap",
                "--company",
                "ACME",
                "--username",
                "acme-admin",
                "--password",
                "S3cret-pass",
            ],
        ),
        MINUTE,
    );
    assert_still_serving(&example, "radar admin bootstrap").await;
    let ids: serde_json::Value = serde_json::from_str(out.trim()).expect("JSON on stdout");
    let (status, login) = post_form(
        &format!("{}/zhugeleida/admin/login", server.base),
        &[("username", "acme-admin"), ("password", "S3cret-pass")],
    )
    .await;
    assert_eq!(
        (status, &login["code"]),
        (200, &serde_json::json!(200)),
        "{login}"
    );
    assert_eq!(login["data"]["user_id"], ids["admin_user_id"]);
    assert_eq!(login["data"]["company_id"], ids["company_id"]);
    assert!(cluster_running(&data));

    // The server stops its cluster when it stops, after its own connections are closed (none
    // sees the server go away under it); the folder goes with the temp dir.
    let log = server.stop().join("\n");
    assert!(!cluster_running(&data), "the cluster outlived the server");
    assert!(log.contains("stopping the embedded PostgreSQL"), "{log}");
    assert!(!log.contains("Connection error"), "{log}");
    let dir = tmp.path().to_path_buf();
    tmp.close().expect("removing the data dir");
    assert!(!dir.exists());
}

#[tokio::test]
async fn a_command_alone_starts_the_cluster_and_stops_it_again() {
    let Some(tmp) = embedded_dir_or_skip() else {
        return;
    };
    let data = tmp.path().join("data");

    let (_, log) = run_ok(&mut radar(&data, &["migrate"]), 2 * MINUTE);

    assert!(log.contains("migrations applied"), "{log}");
    assert!(log.contains("stopping the embedded PostgreSQL"), "{log}");
    assert!(
        !cluster_running(&data),
        "migrate left its own cluster running"
    );
}

#[tokio::test]
async fn the_demo_avatar_and_the_default_avatars_are_served_from_the_first_start() {
    let Some(tmp) = embedded_dir_or_skip() else {
        return;
    };
    let data = tmp.path().join("data");
    let mut server = Server::start(&mut radar(&data, &["serve"]), 2 * MINUTE);
    let example = server.example_url();
    let (_, card) = get_json(&example).await;
    let avatar = card["data"]["ret_data"]["mingpian_avatar"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let mut fetched = Vec::new();
    for path in [
        avatar.as_str(),
        "statics/imgs/Avator.jpg",
        "statics/imgs/setAvator.jpg",
    ] {
        let resp = reqwest::get(format!("{}/{path}", server.base))
            .await
            .expect("GET");
        let status = resp.status().as_u16();
        let kind = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap_or_default().to_owned())
            .unwrap_or_default();
        let bytes = resp.bytes().await.expect("body");
        let decodes = image::load_from_memory(&bytes).is_ok();
        fetched.push((path.to_owned(), status, kind, decodes));
    }
    let errors: Vec<String> = server
        .log
        .iter()
        .filter(|l| l.contains("ERROR"))
        .cloned()
        .collect();
    server.stop();

    assert_eq!(avatar, "statics/demo/zhangwei_avatar.jpg", "{card}");
    for (path, status, kind, decodes) in fetched {
        assert_eq!(
            (status, kind.as_str(), decodes),
            (200, "image/jpeg", true),
            "{path}"
        );
    }
    assert!(
        errors.is_empty(),
        "the first start logged errors: {errors:?}"
    );
}
