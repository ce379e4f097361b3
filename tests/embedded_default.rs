//! The embedded default end to end: `radar serve` with no configuration starts its own PostgreSQL,
//! loads the demo, prints a signed example request that works, stops on SIGTERM, and keeps its data
//! across a restart.

#[path = "support/cli_process.rs"]
mod cli_process;

use std::path::Path;
use std::time::Duration;

use cli_process::{command, embedded_dir_or_skip, get_json, Server, RADAR};

/// Starts `radar serve` on a random port with `data_dir`; returns it and its example request URL.
fn start(data_dir: &Path) -> (Server, String) {
    let mut cmd = command(RADAR, &["serve"]);
    cmd.env("RADAR__STORAGE__DATA_DIR", data_dir)
        .current_dir(std::env::temp_dir());
    let mut server = Server::start(&mut cmd, Duration::from_secs(120));
    let url = server.example_url();
    (server, url)
}

async fn popularity(url: &str) -> i64 {
    let (status, body) = get_json(url).await;
    assert_eq!(
        (status, &body["code"]),
        (200, &serde_json::json!(200)),
        "{body}"
    );
    body["data"]["ret_data"]["popularity_num"]
        .as_i64()
        .expect("popularity")
}

#[tokio::test]
async fn the_embedded_default_serves_the_demo_and_keeps_its_data_across_restarts() {
    let Some(dir) = embedded_dir_or_skip() else {
        return;
    };
    let (server, url) = start(dir.path());
    assert_eq!(popularity(&url).await, 1);
    server.stop();

    let (server, url) = start(dir.path());
    assert_eq!(
        popularity(&url).await,
        2,
        "the first view survived the restart"
    );
    server.stop();
}
