//! Client-caused errors that actix-http logs at ERROR: a malformed request line or header, a
//! connection reset mid-body, a broken websocket fragment. A fuzzer or an attacker can cause
//! thousands a second (8,555 lines in one fuzz run), which would drown real errors and fill the
//! disk. They are not server faults, so they leave the ERROR stream: each one is logged at debug
//! (target `radar::client_errors`), and at most one warning per 10 s says how many were seen.
//!
//! `logging` routes those events here (the filter [`is_client_error`]) and away from the output.

use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// Where the rewritten lines go (so `radar::client_errors=error` silences them).
pub const TARGET: &str = "radar::client_errors";
/// Counted client errors (not planned by issue 12, but an operator wants the rate).
pub const METRIC: &str = "radar_http_client_errors_total";
/// At most one warning per window.
const WINDOW_MS: u64 = 10_000;
/// Longest message text kept (the text names the error kind, never request bytes).
const MAX_MESSAGE: usize = 200;

/// actix-http's modules whose warnings and errors are about what a client sent or how it left.
/// Service initialisation and readiness errors (`actix_http::service`, `h1::service`) are ours
/// and stay errors.
const CLIENT_TARGETS: [&str; 4] = [
    "actix_http::h1::dispatcher",
    "actix_http::h1::decoder",
    "actix_http::h2::dispatcher",
    "actix_http::ws::codec",
];

/// Whether `meta` is one of actix-http's client-error lines.
pub fn is_client_error(meta: &Metadata<'_>) -> bool {
    meta.is_event() && *meta.level() <= Level::WARN && CLIENT_TARGETS.contains(&meta.target())
}

/// The layer that re-logs client errors at debug, with a rate-limited warning.
pub struct ClientErrors {
    epoch: Instant,
    /// Milliseconds since `epoch` before which no warning is written.
    next_warn_ms: AtomicU64,
    /// Client errors since the last warning.
    unreported: AtomicU64,
}

impl Default for ClientErrors {
    fn default() -> Self {
        ClientErrors {
            epoch: Instant::now(),
            next_warn_ms: AtomicU64::new(0),
            unreported: AtomicU64::new(0),
        }
    }
}

impl ClientErrors {
    /// Some(errors since the last warning, this one included) when a warning is due.
    fn due(&self) -> Option<u64> {
        self.unreported.fetch_add(1, Ordering::Relaxed);
        let now = self.epoch.elapsed().as_millis() as u64;
        let next = self.next_warn_ms.load(Ordering::Relaxed);
        let won = now >= next
            && self
                .next_warn_ms
                .compare_exchange(next, now + WINDOW_MS, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok();
        won.then(|| self.unreported.swap(0, Ordering::Relaxed))
    }
}

impl<S: Subscriber> Layer<S> for ClientErrors {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut message = Message::default();
        event.record(&mut message);
        let text = message.0;
        metrics::counter!(METRIC).increment(1);
        tracing::debug!(target: TARGET, "client error: {text}");
        if let Some(count) = self.due() {
            tracing::warn!(
                target: TARGET,
                count,
                "{count} client error(s) (malformed requests, dropped connections) since the last such line; latest: {text}"
            );
        }
    }
}

/// The `message` field of an event, shortened.
#[derive(Default)]
struct Message(String);

impl Visit for Message {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0 = shorten(value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        if field.name() == "message" {
            self.0 = shorten(&format!("{value:?}"));
        }
    }
}

fn shorten(text: &str) -> String {
    text.chars().take(MAX_MESSAGE).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_warning_per_window_counts_what_it_summarises() {
        let gate = ClientErrors::default();
        assert_eq!(gate.due(), Some(1));
        for _ in 0..999 {
            assert_eq!(gate.due(), None);
        }
        // The window has not passed yet; pretend it has.
        gate.next_warn_ms.store(0, Ordering::Relaxed);
        assert_eq!(gate.due(), Some(1000));
    }
}
