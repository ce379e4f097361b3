//! Loading: the compiled-in defaults, then the file, then `RADAR__SECTION__KEY` environment
//! variables; a key the shipped `config.toml` lacks is refused (named with its section and where it
//! was set), `auto` values are resolved and what serde cannot check is validated.

use std::path::Path;

use super::{cores, MetricsBind, Settings, Switch, WechatMode};

/// The defaults: the `config.toml` shipped with the source, compiled in so the binary runs anywhere.
const DEFAULTS: &str = include_str!("../../config.toml");

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
            || chat.max_listeners_per_principal == 0
        {
            anyhow::bail!("bad configuration: chat.write_batch_rows, chat.writers, chat.outbound_queue_frames, chat.rate_per_sec and chat.max_listeners_per_principal must be at least 1");
        }
        if let MetricsBind::Separate(addr) = self.metrics.resolved() {
            if addr.parse::<std::net::SocketAddr>().is_err() {
                anyhow::bail!(
                    "bad configuration: metrics.bind {addr:?} is not \"\", \"off\" or host:port"
                );
            }
        }
        if self.server.body_timeout_secs == 0 {
            anyhow::bail!("bad configuration: server.body_timeout_secs must be at least 1");
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
