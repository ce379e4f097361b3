//! The process's tracing subscriber: `log.filter` (or `RUST_LOG`), `log.format` (text or JSON),
//! colour only on a terminal, and actix's client-error lines turned into a rate-limited warning
//! (`client_errors`).
//!
//! What a span carries (request id, route, principal) is decided in `telemetry::span`; this file
//! only decides where and how lines are written (stderr, one per event).

use std::io::IsTerminal;

use anyhow::Context as _;
use tracing_subscriber::filter::{filter_fn, EnvFilter, FilterExt};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

use super::client_errors::{self, ClientErrors};
use crate::config::{LogFormat, LogSettings};

/// Installs the global subscriber. Fails on a filter that does not parse (naming `log.filter` or
/// `RUST_LOG`) or when a subscriber is already installed.
pub fn init(settings: &LogSettings) -> anyhow::Result<()> {
    let filter = build_filter(settings)?;
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let not_client_error = filter_fn(|meta| !client_errors::is_client_error(meta));
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let output = match settings.format {
        LogFormat::Text => fmt.boxed(),
        LogFormat::Json => fmt
            .json()
            .with_current_span(false)
            .with_span_list(true)
            .boxed(),
    };
    tracing_subscriber::registry()
        .with(output.with_filter(filter.and(not_client_error)))
        .with(ClientErrors::default().with_filter(filter_fn(client_errors::is_client_error)))
        .try_init()
        .context("installing the log subscriber")
}

/// `RUST_LOG` when set, else `log.filter`; the driver's parameter logging stays off unless named.
fn build_filter(settings: &LogSettings) -> anyhow::Result<EnvFilter> {
    let (source, text) = match std::env::var("RUST_LOG") {
        Ok(env) if !env.trim().is_empty() => ("RUST_LOG", env),
        _ => ("log.filter", settings.filter.clone()),
    };
    let text = with_secret_guard(&text);
    EnvFilter::builder()
        .parse(&text)
        .map_err(|e| anyhow::anyhow!("bad configuration: {source} {text:?}: {e}"))
}

/// tokio-postgres logs every statement's parameters (tokens, phone numbers) at debug: keep it at
/// info unless the operator names it on purpose.
fn with_secret_guard(filter: &str) -> String {
    if filter.contains("tokio_postgres") {
        filter.to_owned()
    } else if filter.trim().is_empty() {
        "info,tokio_postgres=info".to_owned()
    } else {
        format!("{filter},tokio_postgres=info")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_driver_is_kept_at_info_unless_named() {
        assert_eq!(with_secret_guard("debug"), "debug,tokio_postgres=info");
        assert_eq!(with_secret_guard(""), "info,tokio_postgres=info");
        assert_eq!(
            with_secret_guard("info,tokio_postgres=debug"),
            "info,tokio_postgres=debug"
        );
    }

    #[test]
    fn a_bad_filter_names_its_key() {
        if std::env::var_os("RUST_LOG").is_some() {
            return; // RUST_LOG replaces log.filter; nothing to check here.
        }
        let settings = LogSettings {
            filter: "info,radar=loud".to_owned(),
            format: LogFormat::Text,
        };
        let err = build_filter(&settings).unwrap_err().to_string();
        assert!(err.contains("log.filter"), "{err}");
    }
}
