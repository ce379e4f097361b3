//! What an operator sees of a node: logs, spans and metrics.
//!
//! - `logging`       — the tracing subscriber: `log.filter`, `log.format` (text/JSON), colour only
//!   on a terminal.
//! - `client_errors` — actix's client-caused ERROR lines, re-logged at debug with a rate-limited
//!   warning.
//! - `span`          — the per-request middleware (span, request id, HTTP metrics) and the
//!   per-socket span.
//! - `metrics`       — the Prometheus recorder, every metric name with its help, `/metrics` text.
//!
//! The endpoints themselves (`/metrics`, `/healthz`, `/readyz`) are in `http::health`.

pub mod client_errors;
pub mod logging;
pub mod metrics;
pub mod span;
