//! `--help` of every command and the configuration errors, through the built binary.

#[path = "support/cli_process.rs"]
mod cli_process;

use std::time::Duration;

use cli_process::{command, run, run_ok, RADAR};

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn every_command_explains_itself_with_help() {
    let cases: [(&[&str], &[&str]); 6] = [
        (
            &["--help"],
            &[
                "Usage: radar [OPTIONS] [COMMAND]",
                "serve",
                "migrate",
                "admin",
                "demo",
                "--config",
            ],
        ),
        (
            &["serve", "--help"],
            &["Run the server (the default)", "--config"],
        ),
        (
            &["migrate", "--help"],
            &["Apply pending database migrations and exit"],
        ),
        (
            &["demo", "--help"],
            &["Load the demo data into the configured database"],
        ),
        (
            &["admin", "--help"],
            &["Back-office administration", "bootstrap"],
        ),
        (
            &["admin", "bootstrap", "--help"],
            &[
                "Create a company and its first super-admin",
                "--company <COMPANY>",
                "--username <USERNAME>",
                "--password <PASSWORD>",
                "--cards <CARDS>",
                "[default: 100]",
                "--months <MONTHS>",
                "[default: 12]",
            ],
        ),
    ];
    for (args, expected) in cases {
        let (out, _) = run_ok(&mut command(RADAR, args), LIMIT);
        for text in expected {
            assert!(out.contains(text), "radar {args:?}: no {text:?} in\n{out}");
        }
    }
}

#[test]
fn an_unknown_key_names_its_section_and_where_it_was_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("radar.toml");
    std::fs::write(&file, "[server]\nbnid = \"127.0.0.1:1\"\n").expect("config file");
    let mut from_env = command(RADAR, &["migrate"]);
    from_env.env("RADAR__SERVER__BNID", "1");
    let from_file = command(
        RADAR,
        &["--config", file.to_str().expect("utf-8"), "migrate"],
    );

    for (mut cmd, expected) in [
        (
            from_env,
            "bad configuration: unknown key server.bnid (set by the environment variable RADAR__SERVER__BNID)".to_owned(),
        ),
        (
            from_file,
            format!("bad configuration: unknown key server.bnid (set in {})", file.display()),
        ),
    ] {
        let out = run(&mut cmd, LIMIT);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(stderr.contains(&expected), "{stderr}");
    }
}
