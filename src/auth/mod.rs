//! Who is asking: the legacy signature and the principals' tokens, below both edges.
//!
//! The HTTP API (`http::auth` reads the triple from a query string) and the sockets
//! (`chat::session` reads it from each frame) check principals the same way, through this module;
//! neither edge imports the other.
//!
//! - `signature` — pure functions: `md5(timestamp + token)`, timestamp freshness, new tokens.
//! - `principal` — the three principal families (`Family`) and the signed triple (`SignedIds`).
//! - `tokens`    — `Tokens`: each principal's token read from its table, cached briefly per node,
//!   and the check of a triple against it.

pub mod principal;
pub mod signature;
pub mod tokens;

pub use principal::{Family, SignedIds};
pub use signature::{md5_hex, new_token, now_ms, signature_matches, timestamp_fresh};
pub use tokens::Tokens;
