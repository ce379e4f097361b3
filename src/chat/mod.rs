//! Chat: messages, their realtime delivery, and the legacy socket protocol.
//!
//! - `handle`   — `Chat`, the core's own handle (writer, reader, bus, registry, settings) that
//!   the HTTP handlers and the sessions receive; nothing here sees `AppState`.
//! - `service`  — the one send path (validate → commit → publish), why a send failed (`SendError`,
//!   mapped by each edge) and the read-state events.
//! - `writer`   — group commit of concurrent sends (shards by conversation, admission), answering
//!   with the committed message (`crate::wire::ChatMessage`); `reader` — group read-marking of
//!   pushes.
//! - `message`  — every kind of message and its legacy rules (`MessageKind`), and the messages the
//!   server writes itself; `content` — the `info_type` catalog and its rules for what clients send.
//! - `notify`   — offline template messages.
//! - `event`    — what travels on the bus; `bus` — local and Redis implementations.
//! - `registry` — the per-process actor mapping channels to listeners.
//! - `revocation` — the per-node sweep closing sockets whose account lost access.
//! - `session`  — one actor per socket; `protocol` — its frames; `render` — message items.

pub mod bus;
pub mod content;
pub mod event;
pub mod handle;
pub mod message;
pub mod notify;
pub mod protocol;
pub mod reader;
pub mod registry;
pub mod render;
pub mod revocation;
pub mod service;
pub mod session;
pub mod writer;

pub use handle::Chat;
