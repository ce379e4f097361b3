//! Schemathesis (PyPI, pinned in scripts/test.sh) against a live node, driven by `/openapi.json`:
//! no 5xx, every envelope route answers the documented envelope, every answer matches its
//! documented schema and content type. Signing and realistic ids come from the hook file
//! `tests/schemathesis/radar_hooks.py`.
//!
//! `RADAR_SCHEMATHESIS` names the `schemathesis` executable (scripts/test.sh installs it into a
//! venv under the target dir); without it the test says so and passes. Examples per operation:
//! `RADAR_SCHEMATHESIS_EXAMPLES` (default 5), seed `RADAR_FUZZ_SEED` (default 1).

use serde_json::json;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn schemathesis_finds_no_server_error_and_no_answer_off_the_document() {
    let Ok(exe) = std::env::var("RADAR_SCHEMATHESIS") else {
        eprintln!("skipped: RADAR_SCHEMATHESIS is not set (scripts/test.sh installs schemathesis)");
        return;
    };
    assert!(
        std::path::Path::new(&exe).exists(),
        "{exe} is missing: scripts/test.sh could not install schemathesis (see its output)"
    );
    let examples = std::env::var("RADAR_SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| "5".into());
    let seed = std::env::var("RADAR_FUZZ_SEED").unwrap_or_else(|_| "1".into());
    let app = spawn_app().await; // Arrange: a company with one principal of each family, bound.
    let company = app.seed_company("模式公司").await;
    let radar = app.seed_radar_user(company, "模式").await;
    let customer = app.seed_customer(company, Some("模式客户")).await;
    app.seed_binding(radar.id, customer.id).await;
    let admin = app.seed_admin(company, 2).await;
    let principal = |p: &crate::helpers::Principal| json!({"id": p.id, "token": p.token});
    let principals = json!({
        "customer": principal(&customer), "radar": principal(&radar), "admin": principal(&admin),
    });
    let ids = json!({
        "uid": radar.id, "u_id": radar.id, "customer_id": customer.id, "company_id": company,
    });
    let hooks = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemathesis");
    let report = tempfile::tempdir().expect("report dir");

    let run = tokio::process::Command::new(&exe) // Act
        .arg("run")
        .arg(format!("{}/openapi.json", app.address))
        .args(["--checks", "not_a_server_error,response_schema_conformance,content_type_conformance,radar_envelope"])
        .args(["--phases", "examples,fuzzing", "--max-examples", &examples, "--seed", &seed])
        .args(["--mode", "all", "--workers", "2", "--request-timeout", "10"])
        .args(["--generation-database", "none", "--no-color", "--max-failures", "20"])
        // Sockets answer a plain GET with a refused handshake; the socket fuzz covers them.
        .args(["--exclude-path-regex", "websocket"])
        .arg("--report-dir")
        .arg(report.path())
        // Its caches (.schemathesis, .hypothesis) go to the temporary folder, not the repository.
        .current_dir(report.path())
        .env("SCHEMATHESIS_HOOKS", "radar_hooks")
        .env("PYTHONPATH", hooks)
        .env("RADAR_ST_PRINCIPALS", principals.to_string())
        .env("RADAR_ST_IDS", ids.to_string())
        .env("RADAR_ST_SEED", &seed)
        .env("RADAR_ST_STATS", report.path().join("signed.tsv"))
        .kill_on_drop(true)
        .output()
        .await
        .expect("schemathesis runs");

    let out = String::from_utf8_lossy(&run.stdout); // Assert
    let err = String::from_utf8_lossy(&run.stderr);
    let summary: Vec<&str> = out.lines().rev().take(40).collect();
    eprintln!(
        "schemathesis: {}",
        summary.into_iter().rev().collect::<Vec<_>>().join("\n")
    );
    assert!(run.status.success(), "schemathesis failed:\n{out}\n{err}");
    // The signing hook worked: most signed answers got past the signature check.
    let stats = std::fs::read_to_string(report.path().join("signed.tsv")).unwrap_or_default();
    let total = stats.lines().count();
    let refused = stats.lines().filter(|l| *l == "400\ttoken异常").count();
    eprintln!("signed answers: {total}, token异常: {refused}");
    assert!(total > 100, "too few signed cases ran: {total}");
    assert!(
        refused * 2 < total,
        "the hook's signatures were refused: {refused} of {total}"
    );
}
