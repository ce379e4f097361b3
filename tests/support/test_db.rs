//! Test databases and data directories, and their clean-up.
//!
//! Databases are `radar_test_<run>_<uuid>` on the shared test PostgreSQL, where `<run>` is
//! `RADAR_TEST_RUN_ID` (scripts/test.sh sets one per run and, when the run ends, drops whatever of
//! its own run is left, never another run's). Data directories are `$TMPDIR/radar-test-<run>-<uuid>`.
//! Whoever creates one removes it when done: [`TestDb`] on drop, `TestApp` on drop.

#![allow(dead_code)] // each test binary uses a part

use std::path::{Path, PathBuf};

/// Every test database's name starts with this; nothing else is ever dropped.
const DATABASE_PREFIX: &str = "radar_test_";
/// Every test data directory's name starts with this; nothing else is ever removed.
const DATA_DIR_PREFIX: &str = "radar-test-";

/// Superuser URL of the test PostgreSQL (scripts/test.sh exports it).
pub fn admin_database_url() -> String {
    std::env::var("RADAR_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// This test run's id: `RADAR_TEST_RUN_ID` when it is 1-16 lowercase letters or digits, else `local`.
pub fn run_id() -> String {
    std::env::var("RADAR_TEST_RUN_ID")
        .ok()
        .filter(|id| {
            (1..=16).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        .unwrap_or_else(|| "local".to_owned())
}

/// A fresh, not yet created, data directory path of this run.
pub fn data_dir() -> PathBuf {
    std::env::temp_dir().join(format!(
        "{DATA_DIR_PREFIX}{}-{}",
        run_id(),
        uuid::Uuid::new_v4().simple()
    ))
}

/// Creates an empty database `radar_test_<run>_<uuid>` and returns its URL (not dropped by itself:
/// see [`TestDb`] and [`drop_database`]).
pub async fn create_database() -> String {
    let admin = admin_database_url();
    let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .expect("test PostgreSQL reachable");
    tokio::spawn(conn);
    let name = format!(
        "{DATABASE_PREFIX}{}_{}",
        run_id(),
        uuid::Uuid::new_v4().simple()
    );
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    let base = admin
        .rsplit_once('/')
        .map(|(b, _)| b.to_owned())
        .expect("url has a database");
    format!("{base}/{name}")
}

/// A test database that is dropped with this guard.
pub struct TestDb {
    pub url: String,
}

impl TestDb {
    pub async fn create() -> TestDb {
        TestDb {
            url: create_database().await,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        drop_database(&self.url);
    }
}

/// Drops the test database `url` names (`WITH (FORCE)`: pools may still hold connections) and
/// waits for it. Anything not named `radar_test_…` is left alone. Blocking: runs on its own thread,
/// so it works from `Drop` inside or outside a runtime.
pub fn drop_database(url: &str) {
    let Some(name) = url
        .rsplit_once('/')
        .map(|(_, n)| n.to_owned())
        .filter(|n| n.starts_with(DATABASE_PREFIX))
        .filter(|n| n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
    else {
        return;
    };
    let dropping = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        rt.block_on(async {
            let admin = admin_database_url();
            let Ok((client, conn)) = tokio_postgres::connect(&admin, tokio_postgres::NoTls).await
            else {
                return;
            };
            tokio::spawn(conn);
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            if let Err(e) = client.batch_execute(&sql).await {
                eprintln!("could not drop test database {name}: {e}");
            }
        });
    });
    let _ = dropping.join();
}

/// Removes a data directory made by [`data_dir`]; anything else is left alone.
pub fn remove_data_dir(dir: &Path) {
    let ours = dir
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with(DATA_DIR_PREFIX));
    if ours {
        let _ = std::fs::remove_dir_all(dir);
    }
}
