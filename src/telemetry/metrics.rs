//! Prometheus metrics: the process-wide recorder of the `metrics` facade, every metric name Radar
//! records (with its help text), and the rendering of `/metrics`.
//!
//! Code anywhere records with `metrics::counter!(names::…)` and friends; nothing needs a handle.
//! The recorder is installed once per process ([`install`], from `startup::build_state`), so
//! several nodes in one test process share it. Histograms have fixed buckets (not summaries), so
//! they aggregate across nodes. Gauges that describe a resource (the pool, the bus link) are
//! sampled when scraped, in [`render`].

use std::sync::OnceLock;
use std::time::Duration;

use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use super::client_errors;

/// Every metric name, so callers cannot misspell one (issue 12's plan; keep them stable).
pub mod names {
    pub const LOGIN_FAILURES: &str = "radar_login_failures_total";
    pub const LOGIN_RATE_LIMITED: &str = "radar_login_rate_limited_total";
    pub const HTTP_REQUESTS: &str = "radar_http_requests_total";
    pub const HTTP_DURATION: &str = "radar_http_request_duration_seconds";
    pub const DB_POOL_IN_USE: &str = "radar_db_pool_in_use";
    pub const DB_POOL_WAITING: &str = "radar_db_pool_waiting";
    pub const WS_SESSIONS: &str = "radar_ws_sessions";
    pub const WS_FRAMES_IN: &str = "radar_ws_frames_in_total";
    pub const WS_FRAMES_OUT: &str = "radar_ws_frames_out_total";
    pub const CHAT_PERSISTED: &str = "radar_chat_messages_persisted_total";
    pub const CHAT_PUSH_LATENCY: &str = "radar_chat_push_latency_seconds";
    pub const CHAT_BATCH_ROWS: &str = "radar_chat_batch_rows";
    pub const CHAT_BATCH_COMMIT: &str = "radar_chat_batch_commit_seconds";
    pub const CHAT_ADMISSION_REFUSALS: &str = "radar_chat_admission_refusals_total";
    /// How late the node's event loops run ready work (see `crate::loop_lag`).
    pub const EVENT_LOOP_LAG: &str = "radar_event_loop_lag_seconds";
    pub const BUS_PUBLISHES: &str = "radar_bus_publishes_total";
    pub const BUS_RECEIVES: &str = "radar_bus_receives_total";
    pub const BUS_RECONNECTS: &str = "radar_bus_reconnects_total";
    pub const BUS_SUBSCRIPTIONS: &str = "radar_bus_subscriptions";
    pub const WS_SLOW_CONSUMER_CLOSES: &str = "radar_ws_slow_consumer_closes_total";
    pub const WS_UNBOUND_CLOSES: &str = "radar_ws_unbound_closes_total";
    /// 1 while the bus is connected (always 1 for the in-process bus); sampled at scrape.
    pub const BUS_CONNECTED: &str = "radar_bus_connected";
}

/// Values of the `kind` label of login metrics: the three principal families.
pub const LOGIN_KINDS: [&str; 3] = ["customer", "radar", "admin"];
/// Values of the `kind` label of socket metrics: WS-M, WS-R1, WS-R2, WS-R3.
pub const SOCKET_KINDS: [&str; 4] = [
    "mini_program",
    "radar_chat",
    "radar_badge",
    "radar_contacts",
];
/// Values of the `cause` label of admission refusals.
pub const ADMISSION_CAUSES: [&str; 2] = ["backlog", "lag"];
/// The `route` label of requests no route matched (raw paths would explode the series count).
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Latency buckets (seconds) for requests, pushes and commits: 0.5 ms to 10 s.
const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Rows per group-commit batch: powers of two up to past the 256-row default cap.
const BATCH_ROW_BUCKETS: [f64; 10] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];
/// How often histogram samples are folded into their buckets when nobody scrapes (bounds memory).
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the Prometheus recorder as the process's `metrics` recorder (once; later calls return
/// the same handle) and describes every metric.
pub fn install() -> anyhow::Result<&'static PrometheusHandle> {
    if let Some(handle) = HANDLE.get() {
        return Ok(handle);
    }
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), &LATENCY_BUCKETS)?
        .set_buckets_for_metric(
            Matcher::Full(names::CHAT_BATCH_ROWS.to_owned()),
            &BATCH_ROW_BUCKETS,
        )?
        .build_recorder();
    let handle = recorder.handle();
    if HANDLE.set(handle).is_ok() {
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics will be empty");
        }
        describe();
        start_upkeep();
    }
    HANDLE
        .get()
        .ok_or_else(|| anyhow::anyhow!("metrics recorder not installed"))
}

/// Counts one failed login of `kind` (`customer`, `radar` or `admin`).
pub fn login_failed(kind: &'static str) {
    metrics::counter!(names::LOGIN_FAILURES, "kind" => kind).increment(1);
}

/// Counts one login attempt of `kind` refused by the login limiter.
pub fn login_rate_limited(kind: &'static str) {
    metrics::counter!(names::LOGIN_RATE_LIMITED, "kind" => kind).increment(1);
}

/// The exposition text, after sampling the pool and bus gauges.
pub fn render(pool: &deadpool_postgres::Pool, bus_connected: bool) -> String {
    let status = pool.status();
    metrics::gauge!(names::DB_POOL_IN_USE).set(status.size.saturating_sub(status.available) as f64);
    metrics::gauge!(names::DB_POOL_WAITING).set(status.waiting as f64);
    metrics::gauge!(names::BUS_CONNECTED).set(if bus_connected { 1.0 } else { 0.0 });
    HANDLE
        .get()
        .map(PrometheusHandle::render)
        .unwrap_or_default()
}

fn start_upkeep() {
    let spawned = std::thread::Builder::new()
        .name("metrics-upkeep".to_owned())
        .spawn(|| loop {
            std::thread::sleep(UPKEEP_EVERY);
            if let Some(handle) = HANDLE.get() {
                handle.run_upkeep();
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "metrics upkeep thread not started; histograms fold at scrape only");
    }
}

/// Help text for every metric, and a zero for each series whose labels are known in advance, so
/// a scrape shows the whole catalogue from the start (histograms appear with their first sample).
fn describe() {
    use names::*;
    describe_counter!(LOGIN_FAILURES, Unit::Count, "Failed logins (wrong password, unknown login, refused WeChat code), by principal kind: customer, radar, admin.");
    describe_counter!(
        LOGIN_RATE_LIMITED,
        Unit::Count,
        "Login attempts refused by the login limiter (code 429), by principal kind."
    );
    describe_counter!(HTTP_REQUESTS, Unit::Count, "HTTP requests answered, by route pattern (`unmatched` when no route matched) and HTTP status code.");
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "Time from a request's arrival to its response head, by route pattern."
    );
    describe_gauge!(
        DB_POOL_IN_USE,
        Unit::Count,
        "Pooled PostgreSQL connections lent out (sampled at scrape)."
    );
    describe_gauge!(
        DB_POOL_WAITING,
        Unit::Count,
        "Tasks waiting for a pooled PostgreSQL connection (sampled at scrape)."
    );
    describe_gauge!(WS_SESSIONS, Unit::Count, "Open websocket sessions on this node, by socket kind: mini_program, radar_chat, radar_badge, radar_contacts.");
    describe_counter!(
        WS_FRAMES_IN,
        Unit::Count,
        "Websocket frames received, by socket kind."
    );
    describe_counter!(
        WS_FRAMES_OUT,
        Unit::Count,
        "Websocket frames sent, by socket kind."
    );
    describe_counter!(
        CHAT_PERSISTED,
        Unit::Count,
        "Chat messages committed to PostgreSQL by this node."
    );
    describe_histogram!(
        CHAT_PUSH_LATENCY,
        Unit::Seconds,
        "Time from a chat message's send (HTTP or socket) to its push on a recipient's socket."
    );
    describe_histogram!(
        CHAT_BATCH_ROWS,
        Unit::Count,
        "Rows per group-commit batch of the chat writer."
    );
    describe_histogram!(
        CHAT_BATCH_COMMIT,
        Unit::Seconds,
        "Time to write and commit one group-commit batch."
    );
    describe_counter!(
        CHAT_ADMISSION_REFUSALS,
        Unit::Count,
        "Chat messages refused as busy, by cause: backlog (the writer's queue would take longer than chat.admission_delay_ms) or lag (the node's event loops run ready work later than chat.admission_lag_ms)."
    );
    describe_gauge!(
        EVENT_LOOP_LAG,
        Unit::Seconds,
        "How late the node's most delayed event loop ran ready work over its last window of 100 ms (the smallest lateness of the window)."
    );
    describe_counter!(
        BUS_PUBLISHES,
        Unit::Count,
        "Events published on the bus by this node."
    );
    describe_counter!(
        BUS_RECEIVES,
        Unit::Count,
        "Events received from the bus by this node."
    );
    describe_counter!(
        BUS_RECONNECTS,
        Unit::Count,
        "Reconnections of the bus to Redis after a lost connection."
    );
    describe_gauge!(
        BUS_SUBSCRIPTIONS,
        Unit::Count,
        "Bus channels this node is subscribed to (one per principal with a local session)."
    );
    describe_counter!(
        WS_SLOW_CONSUMER_CLOSES,
        Unit::Count,
        "Websockets closed because their client stopped reading (outbound queue full)."
    );
    describe_counter!(
        WS_UNBOUND_CLOSES,
        Unit::Count,
        "Websockets closed because no valid signed frame bound them within chat.client_timeout_secs."
    );
    describe_gauge!(BUS_CONNECTED, Unit::Count, "1 while the bus is connected (always 1 for the in-process bus), else 0; sampled at scrape.");
    describe_counter!(client_errors::METRIC, Unit::Count, "Malformed requests and broken client connections reported by the HTTP layer (logged at debug, summarised at warn).");
    for kind in LOGIN_KINDS {
        metrics::counter!(LOGIN_FAILURES, "kind" => kind).increment(0);
        metrics::counter!(LOGIN_RATE_LIMITED, "kind" => kind).increment(0);
    }
    for kind in SOCKET_KINDS {
        metrics::gauge!(WS_SESSIONS, "kind" => kind).increment(0.0);
        metrics::counter!(WS_FRAMES_IN, "kind" => kind).increment(0);
        metrics::counter!(WS_FRAMES_OUT, "kind" => kind).increment(0);
        metrics::counter!(WS_UNBOUND_CLOSES, "kind" => kind).increment(0);
    }
    for cause in ADMISSION_CAUSES {
        metrics::counter!(CHAT_ADMISSION_REFUSALS, "cause" => cause).increment(0);
    }
    metrics::gauge!(EVENT_LOOP_LAG).increment(0.0);
    for counter in [
        CHAT_PERSISTED,
        BUS_PUBLISHES,
        BUS_RECEIVES,
        BUS_RECONNECTS,
        WS_SLOW_CONSUMER_CLOSES,
        client_errors::METRIC,
    ] {
        metrics::counter!(counter).increment(0);
    }
    metrics::gauge!(BUS_SUBSCRIPTIONS).increment(0.0);
}
