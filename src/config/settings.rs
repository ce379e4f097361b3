//! The settings of one Radar node, one struct per section of `config.toml` (serde, unknown fields
//! denied; every key has its default in the shipped file, none in serde).

use std::path::PathBuf;

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
    pub body_timeout_secs: u64,
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
    pub max_listeners_per_principal: usize,
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
