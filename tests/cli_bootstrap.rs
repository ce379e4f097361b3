//! `radar admin bootstrap` (the README's first production step) against a fresh database, through
//! the built binary; its service period from the Shanghai day; the demo's too.

#[path = "support/cli_process.rs"]
mod cli_process;
#[path = "support/test_db.rs"]
mod test_db;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use cli_process::{command, post_form, run, run_ok, Server, RADAR};
use test_db::TestDb;

const MINUTE: Duration = Duration::from_secs(60);

/// `radar <args>` against the database `url`, with its files in `data`.
fn radar(url: &str, data: &Path, args: &[&str]) -> Command {
    let mut cmd = command(RADAR, args);
    cmd.env("RADAR__DATABASE__URL", url)
        .env("RADAR__STORAGE__DATA_DIR", data)
        .current_dir(std::env::temp_dir());
    cmd
}

fn bootstrap_args<'a>(company: &'a str, login: &'a str) -> Vec<&'a str> {
    vec![
        "admin",
        "bootstrap",
        "--company",
        company,
        "--username",
        login,
        "--password",
        "S3cret-pass",
    ]
}

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("test database reachable");
    tokio::spawn(conn);
    client
}

/// `charging_start_time` and `account_expired_time` of company `name`, as Shanghai wall time.
async fn period_of(db: &tokio_postgres::Client, name: &str) -> (String, String) {
    let row = db
        .query_one(
            "SELECT to_char(charging_start_time AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'),
                    to_char(account_expired_time AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')
             FROM companies WHERE name = $1",
            &[&name],
        )
        .await
        .expect("the company");
    (row.get(0), row.get(1))
}

fn shanghai_today() -> String {
    let cst = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    Utc::now()
        .with_timezone(&cst)
        .format("%Y-%m-%d")
        .to_string()
}

#[tokio::test]
async fn bootstrap_on_a_fresh_database_prints_the_ids_and_the_admin_can_log_in() {
    // Arrange: the README's production steps on an empty database.
    let db = TestDb::create().await;
    let data = tempfile::tempdir().expect("tempdir");
    let today_before = shanghai_today();
    let (_, migrated) = run_ok(&mut radar(&db.url, data.path(), &["migrate"]), MINUTE);

    // Act
    let bootstrap = bootstrap_args("ACME", "boss");
    let (out, _) = run_ok(&mut radar(&db.url, data.path(), &bootstrap), MINUTE);
    let (_, demo) = run_ok(&mut radar(&db.url, data.path(), &["demo"]), MINUTE);
    let server = Server::start(&mut radar(&db.url, data.path(), &["serve"]), MINUTE);
    let (status, login) = post_form(
        &format!("{}/zhugeleida/admin/login", server.base),
        &[("username", "boss"), ("password", "S3cret-pass")],
    )
    .await;
    server.stop();

    // Assert: one line `{"company_id":…,"admin_user_id":…}` on stdout.
    assert!(migrated.contains("migrations applied"), "{migrated}");
    assert!(demo.contains("loaded=true"), "{demo}");
    assert!(data
        .path()
        .join("statics/demo/zhangwei_avatar.jpg")
        .is_file());
    let ids: serde_json::Value = serde_json::from_str(out.trim()).expect("JSON on stdout");
    assert_eq!(out.trim().lines().count(), 1, "{out}");
    let keys: Vec<&String> = ids.as_object().expect("an object").keys().collect();
    assert_eq!(keys, ["admin_user_id", "company_id"]);
    assert_eq!(status, 200);
    assert_eq!(login["code"], 200, "{login}");
    assert_eq!(login["data"]["user_id"], ids["admin_user_id"]);
    assert_eq!(login["data"]["company_id"], ids["company_id"]);
    assert_eq!(login["data"]["role_id"], 1);
    let (start, _) = period_of(&connect(&db.url).await, "ACME").await;
    let today_after = shanghai_today();
    assert!(
        [today_before, today_after].contains(&start[..10].to_owned()),
        "{start}"
    );
    assert_eq!(
        &start[10..],
        " 00:00:00",
        "the service starts at Shanghai midnight"
    );
}

#[tokio::test]
async fn a_second_bootstrap_of_the_same_company_or_login_is_refused_clearly() {
    let db = TestDb::create().await;
    let data = tempfile::tempdir().expect("tempdir");
    run_ok(
        &mut radar(&db.url, data.path(), &bootstrap_args("ACME", "boss")),
        MINUTE,
    );

    let same_company = run(
        &mut radar(&db.url, data.path(), &bootstrap_args("ACME", "other")),
        MINUTE,
    );
    let same_login = run(
        &mut radar(&db.url, data.path(), &bootstrap_args("Other Co", "boss")),
        MINUTE,
    );
    let short_password = run(
        &mut radar(
            &db.url,
            data.path(),
            &[
                "admin",
                "bootstrap",
                "--company",
                "X",
                "--username",
                "x",
                "--password",
                "short",
            ],
        ),
        MINUTE,
    );

    for (out, expected) in [
        (same_company, "a company named \"ACME\" exists already"),
        (same_login, "the admin login \"boss\" is taken"),
        (short_password, "--password must have at least 8 characters"),
    ] {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{expected}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(out.stdout.is_empty());
    }
    let db = connect(&db.url).await;
    let companies: i64 = db
        .query_one("SELECT count(*) FROM companies", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(companies, 1);
}

/// 2026-03-01 01:00 in Shanghai, which is 2026-02-28 17:00 UTC.
fn one_in_the_morning_in_shanghai() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 28, 17, 0, 0)
        .single()
        .expect("a time")
}

/// A migrated fresh database and a Radar pool on it.
async fn migrated_pool(db: &TestDb) -> deadpool_postgres::Pool {
    let pool = radar::store::pool(&db.url, 2).expect("pool");
    let mut client = pool.get().await.expect("a connection");
    radar::store::migrate(&mut client)
        .await
        .expect("migrations");
    pool
}

#[tokio::test]
async fn bootstrap_at_one_in_the_morning_in_shanghai_starts_the_service_that_day() {
    let db = TestDb::create().await;
    let pool = migrated_pool(&db).await;
    let b = radar::cli::Bootstrap {
        company: "Night Co",
        username: "night",
        password: "S3cret-pass",
        cards: 5,
        months: 12,
    };

    radar::cli::bootstrap(&pool, &b, one_in_the_morning_in_shanghai())
        .await
        .expect("bootstrap");

    let period = period_of(&connect(&db.url).await, "Night Co").await;
    assert_eq!(
        period,
        (
            "2026-03-01 00:00:00".to_owned(),
            "2027-03-01 00:00:00".to_owned()
        )
    );
}

#[tokio::test]
async fn the_demo_loaded_at_one_in_the_morning_in_shanghai_starts_its_service_that_day() {
    let db = TestDb::create().await;
    let pool = migrated_pool(&db).await;
    let mut client = pool.get().await.expect("a connection");

    radar::demo::load_at(&mut client, one_in_the_morning_in_shanghai())
        .await
        .expect("demo");

    let db = connect(&db.url).await;
    for company in [radar::demo::COMPANY, radar::demo::CASE_COMPANY] {
        let period = period_of(&db, company).await;
        assert_eq!(
            period,
            (
                "2026-03-01 00:00:00".to_owned(),
                "2027-03-01 00:00:00".to_owned()
            ),
            "{company}"
        );
    }
}

#[tokio::test]
async fn every_pooled_connection_runs_on_the_shanghai_day() {
    let db = TestDb::create().await;
    let pool = radar::store::pool(&db.url, 2).expect("pool");
    let client = pool.get().await.expect("a connection");

    let row = client
        .query_one(
            "SELECT current_setting('TimeZone'), ($1::timestamptz)::date::text,
                    date_trunc('day', $1::timestamptz) = $2",
            &[
                &one_in_the_morning_in_shanghai(),
                &Utc.with_ymd_and_hms(2026, 2, 28, 16, 0, 0)
                    .single()
                    .expect("a time"),
            ],
        )
        .await
        .expect("query");

    assert_eq!(row.get::<_, String>(0), "Asia/Shanghai");
    assert_eq!(row.get::<_, String>(1), "2026-03-01");
    assert!(row.get::<_, bool>(2), "the day starts at Shanghai midnight");
}
