//! Settings: `config.toml` layered with `RADAR__<SECTION>__<KEY>` environment variables.
//!
//! Every key has a default in `config.toml`; unknown keys (named with their section, e.g.
//! `server.bnid`, and where they were set) and wrong types fail at start with a message naming the key. Settings are passed by value into `startup::Application::build`.

use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::Deserialize;

/// All settings of one Radar node.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub redis: RedisSettings,
    pub chat: ChatSettings,
    pub template_message: TemplateMessageSettings,
    pub wechat: WechatSettings,
    pub auth: AuthSettings,
    pub login: LoginSettings,
    pub storage: StorageSettings,
    pub demo: DemoSettings,
    pub cache: CacheSettings,
    pub log: LogSettings,
    pub metrics: MetricsSettings,
    pub console: ConsoleSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub bind: String,
    pub workers: usize,
    pub max_body_bytes: usize,
    pub shutdown_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// Empty = embedded cluster.
    pub url: String,
    pub pool_size: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisSettings {
    /// Empty = in-process bus.
    pub url: String,
    pub channel_prefix: String,
}

/// Realtime chat: sockets, limits, group commit.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatSettings {
    pub heartbeat_secs: u64,
    pub client_timeout_secs: u64,
    pub max_frame_bytes: usize,
    pub rate_per_sec: u32,
    pub rate_burst: u32,
    pub outbound_queue_bytes: usize,
    pub outbound_queue_frames: usize,
    pub ws_send_enabled: bool,
    pub write_batch_rows: usize,
    pub write_batch_window_ms: u64,
    pub writers: usize,
    pub read_batch_window_ms: u64,
    pub store_timeout_ms: u64,
    pub admission_delay_ms: u64,
    pub admission_lag_ms: u64,
    pub catchup_poll_ms: u64,
    pub max_wait_secs: u64,
}

/// Offline template notifications (spec §6.5).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateMessageSettings {
    /// The legacy formId template message (WeChat switched it off in 2020).
    pub enabled: bool,
    /// Subscribe messages, for companies with a subscribe template and customers with a grant.
    pub subscribe_enabled: bool,
    pub delay_secs: u64,
    pub min_interval_secs: u64,
}

/// How Radar reaches WeChat's server API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WechatMode {
    /// Real HTTP calls to `api_base`.
    Live,
    /// Local deterministic answers; for the embedded default and demos only.
    Dev,
    /// Dev on the embedded default (empty `database.url`), live otherwise; resolved at load.
    Auto,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WechatSettings {
    pub mode: WechatMode,
    pub api_base: String,
    pub timeout_ms: u64,
    /// After a failed access-token fetch, no node asks WeChat again for this long (ms).
    pub token_retry_after_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub timestamp_window_secs: u64,
    pub token_cache_secs: u64,
    /// Failed logins per login name within the window before it is blocked (0 = no limits).
    pub login_max_failures: u32,
    /// Failed logins per client address within the window before it is blocked (0 = no limit).
    pub login_max_failures_per_address: u32,
    pub login_window_secs: u64,
    /// First block, doubled for each further failure, capped at `login_max_backoff_secs`.
    pub login_backoff_secs: u64,
    pub login_max_backoff_secs: u64,
    /// Comma-separated peer addresses whose `X-Real-IP` header names the client.
    pub trusted_proxies: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheSettings {
    pub case_list_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginSettings {
    pub default_company_id: i64,
    pub default_case_company_id: i64,
    pub test_mode: bool,
    pub test_appid: String,
    pub test_app_secret: SecretString,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageSettings {
    pub data_dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoSettings {
    pub load_on_first_start: bool,
}

/// Logging (`telemetry::logging`): what is written, and how.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// `RUST_LOG`-style directives, e.g. `info,radar::http=debug`; the `RUST_LOG` variable wins.
    pub filter: String,
    pub format: LogFormat,
}

/// One JSON object per line, or human-readable text (coloured only on a terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Text,
}

/// Where `/metrics` is served (`telemetry::metrics`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    /// `""` = on the main port; `host:port` = a listener of its own (and not on the main port);
    /// `"off"` = nowhere.
    pub bind: String,
}

/// Where `/metrics` answers, resolved from `metrics.bind`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetricsBind {
    /// On `server.bind`, beside the API.
    Main,
    /// On a listener of its own.
    Separate(String),
    /// Not served.
    Off,
}

impl MetricsSettings {
    /// The parsed form of `bind` (checked at load).
    pub fn resolved(&self) -> MetricsBind {
        match self.bind.trim() {
            "" => MetricsBind::Main,
            "off" => MetricsBind::Off,
            addr => MetricsBind::Separate(addr.to_owned()),
        }
    }
}

/// On, off, or decided at load from the deployment (`auto`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Switch {
    On,
    Off,
    /// On with the embedded default (empty `database.url`), off otherwise; resolved at load.
    Auto,
}

/// The radar console at `/console/` and its customer simulator.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleSettings {
    /// The customer simulator at `/console/simulator` (logs customers in through WeChat dev mode).
    pub simulator: Switch,
}

/// The defaults: the `config.toml` shipped with the source, compiled in so the binary runs anywhere.
const DEFAULTS: &str = include_str!("../config.toml");

impl Settings {
    /// Loads the compiled-in defaults, then `path` (if it exists or was named explicitly), then
    /// `RADAR__SECTION__KEY` environment variables.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Settings> {
        let mut builder = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml));
        match path {
            Some(p) => builder = builder.add_source(config::File::from(p).required(true)),
            None => {
                builder = builder.add_source(config::File::with_name("config.toml").required(false))
            }
        }
        builder = builder.add_source(
            config::Environment::with_prefix("RADAR")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true),
        );
        let raw = builder
            .build()
            .map_err(|e| anyhow::anyhow!("bad configuration: {e}"))?;
        check_known_keys(&raw, path.unwrap_or(Path::new("config.toml")))?;
        let mut settings: Settings = raw
            .try_deserialize()
            .map_err(|e| anyhow::anyhow!("bad configuration: {e}"))?;
        if settings.database.pool_size == 0 {
            settings.database.pool_size = 4 * cores();
        }
        if settings.wechat.mode == WechatMode::Auto {
            let embedded = settings.database.url.is_empty();
            settings.wechat.mode = if embedded {
                WechatMode::Dev
            } else {
                WechatMode::Live
            };
        }
        if settings.console.simulator == Switch::Auto {
            let embedded = settings.database.url.is_empty();
            settings.console.simulator = if embedded { Switch::On } else { Switch::Off };
        }
        settings.validate()?;
        Ok(settings)
    }

    /// Checks what serde cannot: value ranges and forms.
    fn validate(&self) -> anyhow::Result<()> {
        if self.server.bind.parse::<std::net::SocketAddr>().is_err() {
            anyhow::bail!(
                "bad configuration: server.bind {:?} is not host:port",
                self.server.bind
            );
        }
        let chat = &self.chat;
        if chat.heartbeat_secs == 0 || chat.client_timeout_secs <= chat.heartbeat_secs {
            anyhow::bail!(
                "bad configuration: chat.client_timeout_secs must exceed chat.heartbeat_secs (> 0)"
            );
        }
        if chat.write_batch_rows == 0
            || chat.writers == 0
            || chat.outbound_queue_frames == 0
            || chat.rate_per_sec == 0
        {
            anyhow::bail!("bad configuration: chat.write_batch_rows, chat.writers, chat.outbound_queue_frames and chat.rate_per_sec must be at least 1");
        }
        if let MetricsBind::Separate(addr) = self.metrics.resolved() {
            if addr.parse::<std::net::SocketAddr>().is_err() {
                anyhow::bail!(
                    "bad configuration: metrics.bind {addr:?} is not \"\", \"off\" or host:port"
                );
            }
        }
        if self.wechat.timeout_ms == 0 {
            anyhow::bail!("bad configuration: wechat.timeout_ms must be at least 1");
        }
        if !(self.wechat.api_base.starts_with("http://")
            || self.wechat.api_base.starts_with("https://"))
        {
            anyhow::bail!("bad configuration: wechat.api_base must be an http(s) URL");
        }
        Ok(())
    }
}

/// Refuses a key the shipped `config.toml` lacks, naming it with its section (`server.bnid`) and
/// where it was set (`file`, or the environment); serde alone would name only `bnid`. The defaults
/// list every key (Settings has no serde defaults and denies unknown fields), so they are the schema.
fn check_known_keys(raw: &config::Config, file: &Path) -> anyhow::Result<()> {
    use config::Source as _;
    let known = config::Config::builder()
        .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml))
        .build()
        .and_then(|c| c.collect())
        .map_err(|e| anyhow::anyhow!("bad built-in defaults: {e}"))?;
    let given = raw
        .collect()
        .map_err(|e| anyhow::anyhow!("bad configuration: {e}"))?;
    match unknown_key(&given, &known, "") {
        None => Ok(()),
        Some((key, origin)) => {
            let place = match origin.as_deref() {
                Some("the environment") => format!(
                    " (set by the environment variable RADAR__{})",
                    key.replace('.', "__").to_uppercase()
                ),
                Some(_) => format!(" (set in {})", file.display()),
                None => String::new(),
            };
            anyhow::bail!("bad configuration: unknown key {key}{place}")
        }
    }
}

type Table = config::Map<String, config::Value>;

/// The first key (in sorted order) of `given` missing from `known`, as a dotted path under
/// `prefix`, with the origin of its value.
fn unknown_key(given: &Table, known: &Table, prefix: &str) -> Option<(String, Option<String>)> {
    let mut keys: Vec<&String> = given.keys().collect();
    keys.sort();
    keys.into_iter().find_map(|key| {
        let path = format!("{prefix}{key}");
        let value = &given[key];
        match (&value.kind, known.get(key).map(|k| &k.kind)) {
            (_, None) => Some((path, value.origin().map(str::to_owned))),
            (config::ValueKind::Table(inner), Some(config::ValueKind::Table(schema))) => {
                unknown_key(inner, schema, &format!("{path}."))
            }
            _ => None,
        }
    })
}

/// Cores this process may use (2 if unknown): sizes worker threads, the pool and batch shards.
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_file_loads_with_its_defaults() {
        let s = Settings::load(Some(Path::new("config.toml"))).unwrap();
        assert_eq!(s.server.bind, "127.0.0.1:8000");
        assert_eq!(s.auth.timestamp_window_secs, 900);
        // The embedded default (no database URL) answers WeChat locally.
        assert_eq!(s.wechat.mode, WechatMode::Dev);
        assert!(s.database.url.is_empty());
        // …and serves the customer simulator.
        assert_eq!(s.console.simulator, Switch::On);
    }

    #[test]
    fn the_simulator_is_off_by_default_with_an_external_database() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "[database]\nurl = \"postgres://db/radar\"\n").unwrap();
        assert_eq!(
            Settings::load(Some(&p)).unwrap().console.simulator,
            Switch::Off
        );
        std::fs::write(
            &p,
            "[database]\nurl = \"postgres://db/radar\"\n[console]\nsimulator = \"on\"\n",
        )
        .unwrap();
        assert_eq!(
            Settings::load(Some(&p)).unwrap().console.simulator,
            Switch::On
        );
    }

    #[test]
    fn an_unknown_key_is_named_with_its_section_and_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "[server]\nbnid = \"x\"\n").unwrap();

        let err = Settings::load(Some(&p)).unwrap_err().to_string();

        assert!(err.contains("unknown key server.bnid"), "{err}");
        assert!(err.contains("c.toml"), "{err}");
    }

    #[test]
    fn an_unknown_section_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "[srever]\nbind = \"x\"\n").unwrap();

        let err = Settings::load(Some(&p)).unwrap_err().to_string();

        assert!(err.contains("unknown key srever"), "{err}");
    }

    #[test]
    fn a_wrong_type_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "[database]\npool_size = \"many\"\n").unwrap();
        let err = Settings::load(Some(&p)).unwrap_err().to_string();
        assert!(err.contains("pool_size"), "{err}");
    }
}
