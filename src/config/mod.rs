//! Settings: `config.toml` layered with `RADAR__<SECTION>__<KEY>` environment variables.
//!
//! Every key has a default in `config.toml`; unknown keys (named with their section, e.g.
//! `server.bnid`, and where they were set) and wrong types fail at start with a message naming the
//! key. Settings are passed by value into `startup::Application::build`.
//!
//! - `settings` — the settings structs, one per section of `config.toml`.
//! - `load`     — [`Settings::load`]: the compiled-in defaults, the file and the environment
//!   layered, unknown keys refused, `auto` values resolved and ranges checked.
//! - here: [`cores`], which sizes what scales with the machine.

mod load;
mod settings;

pub use settings::{
    AuthSettings, CacheSettings, ChatSettings, ConsoleSettings, DatabaseSettings, DemoSettings,
    LogFormat, LogSettings, LoginSettings, MetricsBind, MetricsSettings, RedisSettings,
    ServerSettings, Settings, StorageSettings, Switch, TemplateMessageSettings, WechatMode,
    WechatSettings,
};

/// Cores this process may use (2 if unknown): sizes worker threads, the pool and batch shards.
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}
