//! Radar: the backend of the 诸葛雷达 WeChat mini-program business-card CRM.
//!
//! Map of the crate, edges first. `http` and the sockets in `chat` both stand on `auth`, `store` and
//! the plumbing; the chat core still reaches its writer and bus through `state::AppState` (its own
//! handle is not built yet), so `chat` and `state` import each other.
//! - `http`     — the legacy HTTP API: routes, signed-request auth, parameter parsing, handlers.
//! - `chat`     — chat messages: the one send path (`chat::service::send`).
//! - `card_views` — group commit of card views (M10).
//! - `batch`    — the batch-gathering loop every group-commit writer shares.
//! - `action`   — the radar feed (RecordAction, spec §4.1) and its pluggable notifier.
//! - `store`    — PostgreSQL access, one module per aggregate; SQL lives in `sql/`.
//! - `wechat`   — WeChat's server API (code2session) and data decryption.
//! - `embedded` — the private PostgreSQL cluster of the embedded default.
//! - `demo`     — demo data for the embedded default.
//! - `statics`  — the default avatars and demo pictures Radar's rows point at, drawn when missing.
//! - `console`  — the radar console and customer simulator pages at `/console/` (embedded assets).
//! - `avatar`   — background re-hosting of WeChat avatars, served under `/statics`.
//! - `poster`   — background pair codes and poster PNGs (spec §4.3), served under `/statics`.
//! - `telemetry` — logs, request/socket spans, Prometheus metrics.
//! - `auth`     — who is asking: the signature, principals' tokens (`auth::Tokens`), shared by the
//!   HTTP API and the sockets; `password` — password hashes (pure functions).
//! - `ttl_cache`, `nul` — a short-lived per-node cache; NUL checks of untrusted text.
//! - `config`, `error`, `time`, `state`, `startup`, `cli` — plumbing.

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
