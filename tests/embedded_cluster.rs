//! The embedded PostgreSQL cluster against the machine's real server binaries: start, query, stop,
//! start again on the same data. Skips (with a note) only where no server binaries are installed.

#[path = "support/cli_process.rs"]
mod cli_process;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use radar::embedded::{EmbeddedError, EmbeddedPostgres};

/// A temp dir under /tmp that the `postgres` account can enter when the tests run as root.
fn reachable_tempdir() -> tempfile::TempDir {
    cli_process::reachable_tempdir("radar-embedded-")
}

async fn query_one_i32(pg: &EmbeddedPostgres, sql: &str) -> i32 {
    let (client, connection) =
        tokio_postgres::connect(&pg.connection_string(), tokio_postgres::NoTls)
            .await
            .expect("connecting to the embedded cluster");
    tokio::spawn(connection);
    client
        .query_one(sql, &[])
        .await
        .expect("running the query")
        .get(0)
}

async fn execute(pg: &EmbeddedPostgres, sql: &str) {
    let (client, connection) =
        tokio_postgres::connect(&pg.connection_string(), tokio_postgres::NoTls)
            .await
            .expect("connecting to the embedded cluster");
    tokio::spawn(connection);
    client
        .batch_execute(sql)
        .await
        .expect("running the statement");
}

/// Starts a cluster, or returns None when this machine has no PostgreSQL server binaries.
async fn start_or_skip(data_dir: &Path) -> Option<EmbeddedPostgres> {
    // Shows the cluster's steps with `cargo test -- --nocapture`.
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    match EmbeddedPostgres::start(data_dir).await {
        Ok(pg) => Some(pg),
        Err(EmbeddedError::NoBinaries) => {
            eprintln!("skipped: no PostgreSQL server binaries on this machine");
            None
        }
        Err(e) => panic!(
            "starting the embedded cluster: {:?}",
            anyhow::Error::from(e)
        ),
    }
}

#[tokio::test]
async fn the_embedded_cluster_starts_answers_and_keeps_its_data_across_restarts() {
    // Arrange
    let tmp = reachable_tempdir();
    let data_dir = tmp.path().join("data");
    let Some(mut pg) = start_or_skip(&data_dir).await else {
        return;
    };

    // Act: first run
    let first_was_fresh = pg.freshly_created();
    let one = query_one_i32(&pg, "select 1").await;
    execute(
        &pg,
        "create table kept (n int); insert into kept values (42)",
    )
    .await;
    pg.stop().await.expect("stopping the cluster");

    // Act: second run on the same data
    let mut pg = EmbeddedPostgres::start(&data_dir)
        .await
        .expect("restarting the cluster");
    let kept = query_one_i32(&pg, "select n from kept").await;
    let second_was_fresh = pg.freshly_created();
    pg.stop().await.expect("stopping the cluster again");

    // Assert
    assert_eq!(one, 1);
    assert!(first_was_fresh);
    assert_eq!(kept, 42);
    assert!(!second_was_fresh);
    assert!(pg.connection_string().contains("dbname=radar"));
    assert!(data_dir.join("postgres").join("PG_VERSION").exists());
}

#[tokio::test]
async fn a_server_left_running_by_an_earlier_run_is_reused() {
    // Arrange: a handle abandoned (as if the process had been killed) leaves the server up.
    let tmp = reachable_tempdir();
    let data_dir = tmp.path().join("data");
    let Some(pg) = start_or_skip(&data_dir).await else {
        return;
    };
    pg.abandon();

    // Act
    let mut pg = EmbeddedPostgres::start(&data_dir)
        .await
        .expect("starting over a running server");
    let one = query_one_i32(&pg, "select 1").await;
    pg.stop().await.expect("stopping the cluster");

    // Assert
    assert_eq!(one, 1);
}

#[tokio::test]
async fn as_root_a_data_dir_the_postgres_account_cannot_reach_is_reported() {
    if !nix::unistd::Uid::effective().is_root() {
        eprintln!("skipped: only meaningful as root");
        return;
    }
    // Arrange: a root-owned directory of mode 0700, like /root.
    let tmp = tempfile::Builder::new()
        .prefix("radar-embedded-closed-")
        .tempdir_in("/tmp")
        .expect("creating a temp dir under /tmp");
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o700))
        .expect("closing the temp dir");

    // Act
    let result = EmbeddedPostgres::start(&tmp.path().join("data")).await;

    // Assert
    match result {
        Err(EmbeddedError::NoBinaries) => eprintln!("skipped: no PostgreSQL server binaries"),
        Err(e @ EmbeddedError::Unreachable { .. }) => {
            assert!(e.to_string().contains("RADAR__STORAGE__DATA_DIR"))
        }
        Err(e) => panic!("expected Unreachable, got {e:?}"),
        Ok(_) => panic!("expected Unreachable, but the cluster started"),
    }
}

#[tokio::test]
async fn a_data_dir_too_deep_for_a_unix_socket_still_works() {
    // Arrange: <data_dir>/run/.s.PGSQL.5432 would pass the 107-byte limit of a socket path.
    let tmp = reachable_tempdir();
    let data_dir = tmp.path().join("d".repeat(90));
    let Some(mut pg) = start_or_skip(&data_dir).await else {
        return;
    };

    // Act
    let one = query_one_i32(&pg, "select 1").await;
    let conn = pg.connection_string();
    pg.stop().await.expect("stopping the cluster");

    // Assert
    assert_eq!(one, 1);
    assert!(conn.contains("host=/tmp/radar-pg-"), "{conn}");
}

#[tokio::test]
async fn a_cluster_whose_server_was_killed_starts_again() {
    // Arrange: kill -9 the postmaster, leaving a stale postmaster.pid behind.
    let tmp = reachable_tempdir();
    let data_dir = tmp.path().join("data");
    let Some(pg) = start_or_skip(&data_dir).await else {
        return;
    };
    execute(
        &pg,
        "create table kept (n int); insert into kept values (7)",
    )
    .await;
    pg.abandon();
    let pid_file = std::fs::read_to_string(data_dir.join("postgres/postmaster.pid"))
        .expect("reading postmaster.pid");
    let pid: i32 = pid_file
        .lines()
        .next()
        .and_then(|l| l.parse().ok())
        .expect("a pid");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .expect("killing the postmaster");
    while nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok() {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Act
    let mut pg = EmbeddedPostgres::start(&data_dir)
        .await
        .expect("starting after a crash");
    let kept = query_one_i32(&pg, "select n from kept").await;
    pg.stop().await.expect("stopping the cluster");

    // Assert
    assert_eq!(kept, 7);
}

#[tokio::test]
async fn only_the_last_user_of_a_shared_cluster_stops_it() {
    // Arrange: `serve` and a command on the same data dir.
    let tmp = reachable_tempdir();
    let data_dir = tmp.path().join("data");
    let Some(mut serve) = start_or_skip(&data_dir).await else {
        return;
    };
    let mut command = EmbeddedPostgres::start(&data_dir)
        .await
        .expect("joining the running cluster");

    // Act: the command ends first.
    command.stop().await.expect("leaving the cluster");
    let one = query_one_i32(&serve, "select 1").await;
    let alive_after_command = cli_process::cluster_running(&data_dir);
    serve.stop().await.expect("stopping the cluster");

    // Assert
    assert_eq!(one, 1, "the server's cluster still answers");
    assert!(alive_after_command);
    assert!(
        !cli_process::cluster_running(&data_dir),
        "the last user stopped it"
    );
}

#[tokio::test]
async fn a_server_radar_did_not_start_is_used_and_left_running() {
    // Arrange: a running server without Radar's record of having started it (as after `pg_ctl start`).
    let tmp = reachable_tempdir();
    let data_dir = tmp.path().join("data");
    let Some(pg) = start_or_skip(&data_dir).await else {
        return;
    };
    pg.abandon();
    std::fs::remove_file(data_dir.join("postgres.started")).expect("removing the record");

    // Act
    let mut pg = EmbeddedPostgres::start(&data_dir)
        .await
        .expect("using the running server");
    let one = query_one_i32(&pg, "select 1").await;
    pg.stop().await.expect("leaving the cluster");
    let alive = cli_process::cluster_running(&data_dir);
    // Clean up what the test started: a fast shutdown of the postmaster.
    let pid: i32 = std::fs::read_to_string(data_dir.join("postgres/postmaster.pid"))
        .expect("postmaster.pid")
        .lines()
        .next()
        .and_then(|l| l.parse().ok())
        .expect("a pid");
    let pid = nix::unistd::Pid::from_raw(pid);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).expect("stopping the postmaster");
    while nix::sys::signal::kill(pid, None).is_ok() {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Assert
    assert_eq!(one, 1);
    assert!(alive, "a server someone else started must be left running");
}
