//! Radar: the backend of the 诸葛雷达 WeChat mini-program business-card CRM.
//!
//! Map of the crate, from the edges down; dependencies point down this list.
//! - `startup`, `cli` — wiring: build each core's handle, `AppState` and the HTTP server.
//! - `http`     — the legacy HTTP API: routes, parameter parsing, handlers; `console` — the radar
//!   console and customer simulator pages at `/console/`, mounted by `http`. Nothing else but the
//!   wiring imports `http`.
//! - `state`    — `AppState`, the HTTP handlers' shared state holding each core's handle; seen by
//!   the HTTP edge and the wiring only.
//! - `chat`     — chat messages and sockets, reached through its handle `chat::Chat`: the one send
//!   path (`chat::service::send`), the writer, the bus, the registry and the socket sessions.
//! - `card_views` — group commit of card views (M10).
//! - `demo`     — demo data for the embedded default; `statics` — the default avatars and demo
//!   pictures Radar's rows point at, drawn when missing (with `poster`'s drawing).
//! - `poster`   — pair codes and poster PNGs (spec §4.3), made on first request (`poster::Posters`).
//! - `avatar`   — background re-hosting of WeChat avatars (`avatar::Avatars`), served under
//!   `/statics`.
//! - `action`   — the radar feed (RecordAction, spec §4.1) and its pluggable notifier.
//! - `wechat`   — WeChat's server API (code2session, tokens, codes) and data decryption.
//! - `password`, `auth` — password hashes; who is asking: the signature and principals' tokens
//!   (`auth::Tokens`), shared by the HTTP API and the sockets.
//! - `store`    — PostgreSQL access, one module per aggregate; SQL lives in `sql/`.
//! - `batch`    — the batch-gathering loop every group-commit writer shares.
//! - `loop_lag` — how late the node's event loops run ready work (the node-wide overload signal
//!   that chat admission reads).
//! - `telemetry` — logs, request/socket spans, Prometheus metrics.
//! - `embedded` — the private PostgreSQL cluster of the embedded default.
//! - `ids`, `wire` — typed ids (`RadarUserId`, `CustomerId`) and the committed chat message: the
//!   shapes `chat` and `store` share.
//! - `error`, `config`, `time`, `ttl_cache`, `nul` — plumbing: `ApiError` and the legacy envelope,
//!   settings, Shanghai time, a short-lived per-node cache, NUL checks of untrusted text.

pub mod action;
pub mod auth;
pub mod avatar;
pub mod batch;
pub mod card_views;
pub mod chat;
pub mod cli;
pub mod config;
pub mod console;
pub mod demo;
pub mod embedded;
pub mod error;
pub mod http;
pub mod ids;
pub mod loop_lag;
pub mod nul;
pub mod password;
pub mod poster;
pub mod startup;
pub mod state;
pub mod statics;
pub mod store;
pub mod telemetry;
pub mod time;
pub mod ttl_cache;
pub mod wechat;
pub mod wire;
