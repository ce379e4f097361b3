//! Backups (issue 12 item 7): the README's `pg_dump` / `pg_restore` path, run as written against a
//! database the built binary filled, restores into a database a fresh `radar serve` reads.
#![allow(clippy::unwrap_used)]

#[path = "support/radar_process.rs"]
mod radar_process;

use std::process::Command;

use radar_process::{create_database, database_url, drop_database, RadarProcess};
use serde_json::Value;

const RADAR_PASSWORD: &str = "Backup-pass-7741";

/// A PostgreSQL client tool: on PATH, else beside the server binaries Debian installs.
fn pg_tool(name: &str) -> String {
    let on_path = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output();
    if on_path.is_ok_and(|o| o.status.success()) {
        return name.to_owned();
    }
    let mut dirs: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.flatten()
                .map(|e| e.path().join("bin").join(name))
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs.pop()
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| panic!("{name} not found (PostgreSQL client tools)"))
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn radar_login(radar: &RadarProcess, login_user: &str) -> Value {
    reqwest::Client::new()
        .post(format!("{}/zhugeleida/qiyeweixin/login", radar.address()))
        .form(&[("login_user", login_user), ("password", RADAR_PASSWORD)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[actix_web::test]
async fn a_dump_restored_into_a_new_database_is_served_as_it_was() {
    let original = RadarProcess::start(&[]).await;
    let seed = original.seed(RADAR_PASSWORD, "Unused-admin-pass").await;
    let before = radar_login(&original, &seed.radar_login).await;
    assert_eq!(before["code"], 200, "{before}");
    let source = original.database_url();
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("radar.dump");

    // The README's commands: pg_dump --format=custom, then pg_restore --no-owner into a new database.
    run(
        &pg_tool("pg_dump"),
        &["--format=custom", "--file", dump.to_str().unwrap(), &source],
    );
    original.stop_and_read().await; // the original database is gone now
    let restored = create_database().await;
    run(
        &pg_tool("pg_restore"),
        &[
            "--no-owner",
            "--dbname",
            &database_url(&restored),
            dump.to_str().unwrap(),
        ],
    );

    let radar = RadarProcess::start_on(restored.clone(), &[]).await;
    let after = radar_login(&radar, &seed.radar_login).await;
    assert_eq!(after["data"]["token"], before["data"]["token"], "{after}");
    assert_eq!(after["data"]["user_id"], seed.radar_user);
    let ready = reqwest::get(format!("{}/readyz", radar.address()))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200, "the restored schema is complete");
    radar.stop_and_read().await;
    drop_database(&restored).await;
}
