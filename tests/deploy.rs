//! `deploy/` (issue 12 item 6): the systemd unit passes `systemd-analyze verify` with no warning
//! and its sandbox rates at most 2.0 ("OK") in `systemd-analyze security`; the nginx sample passes
//! `nginx -t`; the production settings load and keep `/metrics` off the public port.
//!
//! `./scripts/test.sh` provides nginx (`RADAR_TEST_NGINX`, unpacked from the Debian package when
//! the machine has none); run alone, these tests look for `nginx` and `systemd-analyze` on PATH.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use radar::config::{LogFormat, MetricsBind, Settings};

/// The unit's ExecStart binary; the test points it at the built binary (verify checks it exists).
const INSTALLED_BINARY: &str = "/usr/local/bin/radar";

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// `name` from `env` if set, else the first of `candidates` that exists or is on PATH.
fn tool(env: &str, candidates: &[&str]) -> PathBuf {
    if let Some(path) = std::env::var_os(env) {
        return PathBuf::from(path);
    }
    for c in candidates {
        let p = Path::new(c);
        if p.is_absolute() && p.exists() {
            return p.to_owned();
        }
        if !p.is_absolute()
            && Command::new("sh")
                .args(["-c", &format!("command -v {c}")])
                .output()
                .is_ok_and(|o| o.status.success())
        {
            return p.to_owned();
        }
    }
    panic!(
        "{} not found: ./scripts/test.sh provides it (or install it, or set {env})",
        candidates[0]
    );
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn the_systemd_unit_verifies_without_a_warning_and_is_sandboxed() {
    let analyze = tool(
        "RADAR_TEST_SYSTEMD_ANALYZE",
        &["systemd-analyze", "/usr/bin/systemd-analyze"],
    );
    let unit = std::fs::read_to_string(repo("deploy/radar.service")).unwrap();
    assert!(
        unit.contains(&format!("ExecStart={INSTALLED_BINARY} serve")),
        "{unit}"
    );
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("radar.service");
    std::fs::write(
        &copy,
        unit.replace(INSTALLED_BINARY, env!("CARGO_BIN_EXE_radar")),
    )
    .unwrap();

    let (ok, text) = run(Command::new(&analyze).arg("verify").arg(&copy));
    assert!(
        ok && text.trim().is_empty(),
        "systemd-analyze verify:\n{text}"
    );

    let (_, text) = run(Command::new(&analyze)
        .args(["security", "--offline=yes", "--no-pager"])
        .arg(&copy));
    let level: f64 = text
        .lines()
        .find_map(|l| l.split("Overall exposure level for radar.service: ").nth(1))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no exposure level in:\n{text}"));
    assert!(level <= 2.0, "exposure {level}:\n{text}");
}

#[test]
fn the_nginx_sample_passes_nginx_t() {
    let nginx = tool("RADAR_TEST_NGINX", &["nginx", "/usr/sbin/nginx"]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let conf = format!(
        "pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n  access_log off;\n  \
         client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n  \
         uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  include {};\n}}\n",
        repo("deploy/nginx/radar.conf").display()
    );
    std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
    let (ok, text) = run(Command::new(&nginx)
        .arg("-t")
        .arg("-p")
        .arg(dir.path())
        .arg("-e")
        .arg(dir.path().join("error.log"))
        .arg("-c")
        .arg(dir.path().join("nginx.conf")));
    assert!(
        ok && text.contains("test is successful"),
        "nginx -t:\n{text}"
    );
}

/// The first `proxy_read_timeout <n>s` in `block`, in seconds.
fn read_timeout(block: &str) -> u64 {
    let value = block.split("proxy_read_timeout ").nth(1).unwrap();
    value.split('s').next().unwrap().parse().unwrap()
}

#[test]
fn the_nginx_sample_keeps_sockets_open_longer_than_the_server_timeouts() {
    let conf = std::fs::read_to_string(repo("deploy/nginx/radar.conf")).unwrap();
    let defaults = Settings::load(Some(&repo("config.toml"))).unwrap();
    let sockets = conf
        .split("location ~ ^/zhugeleida/")
        .nth(1)
        .unwrap()
        .split('}')
        .next()
        .unwrap();
    assert!(sockets.contains("proxy_set_header Upgrade    $http_upgrade;"));
    assert!(sockets.contains("proxy_buffering off;"));
    let read = read_timeout(sockets);
    assert!(read > defaults.chat.client_timeout_secs && read > defaults.chat.heartbeat_secs);
    let http = conf.split("location / {").nth(1).unwrap();
    let read = read_timeout(http);
    assert!(
        read > defaults.chat.max_wait_secs,
        "long-polls outlast the proxy"
    );
}

#[test]
fn the_production_settings_load_and_keep_metrics_off_the_public_port() {
    let s = Settings::load(Some(&repo("deploy/radar.toml"))).unwrap();
    assert_eq!(
        s.metrics.resolved(),
        MetricsBind::Separate("127.0.0.1:9464".to_owned())
    );
    assert_ne!(s.metrics.bind, s.server.bind);
    assert_eq!(s.log.format, LogFormat::Json);
    assert!(!s.demo.load_on_first_start);
    assert!(
        !s.database.url.is_empty(),
        "an empty URL would start the embedded cluster"
    );
}
