//! WeChat's server API and the decryption of WeChat "open data".
//!
//! Map of the module:
//! - `client` — [`Client`]: reqwest with a timeout and a configurable base URL (tests aim it at a
//!   wiremock server). `code2session` (login, spec §5.1 M1 step 4), `access_token` (stable token)
//!   and `get_wxacode_unlimit` (mini-program codes, spec §4.3). No caching, no retries: callers
//!   decide (tokens go through `token`).
//! - `token`  — [`AccessTokens`]: one access token per app for the whole cluster, shared through
//!   PostgreSQL (one fetch at a time, refresh once on 40001/42001, failures cached briefly).
//! - `subscribe` — the `data` of a subscribe message from a company's field mapping (pure).
//! - `dev`    — the local, deterministic answers of `WechatMode::Dev` (embedded default and demos).
//! - `crypto` — [`decrypt_user_data`]: AES-128-CBC + PKCS#7 + watermark check (spec §8). A pure
//!   function; it knows nothing of HTTP or the store.
//!
//! What it leaves to others: the HTTP layer maps [`WechatError`] and [`CryptoError`] to the legacy
//! codes (`301 登录失败`, `250 解密报错`); the store keeps `session_key`. Nothing here logs a
//! `session_key`, app secret, access token, IV, ciphertext or plaintext, and no error value
//! carries one (reqwest errors are stripped of their URL, which holds the secret in its query).

mod client;
pub mod crypto;
pub mod dev;
pub mod subscribe;
mod token;

pub use client::{Client, Session};
pub use crypto::{decrypt_user_data, CryptoError};
pub use dev::dev_session_key;
pub use token::AccessTokens;

/// Why a call to WeChat's server API failed.
#[derive(Debug, thiserror::Error)]
pub enum WechatError {
    /// Transport failure: connect error, timeout, non-2xx HTTP status, unreadable body. The
    /// wrapped error has its URL removed (the query carries the app secret or access token).
    #[error("WeChat HTTP request failed")]
    Http(#[source] reqwest::Error),
    /// WeChat answered with a nonzero `errcode` (e.g. 40029 invalid code, 45011 rate limit,
    /// 40226 high-risk user, -1 busy).
    #[error("WeChat API error {errcode}: {errmsg}")]
    Api {
        /// WeChat's error code.
        errcode: i64,
        /// WeChat's error message, as sent.
        errmsg: String,
    },
    /// WeChat answered 2xx with a body we cannot use (not JSON, missing `openid`, ...). The text
    /// describes the shape problem only, never the body.
    #[error("unexpected WeChat response: {0}")]
    BadResponse(String),
    /// Fetching the app's access token failed a moment ago (on this node or another); nobody asks
    /// WeChat again before `retry_in_ms` (negative cache, no retry storm).
    #[error(
        "WeChat unavailable for this app, next try in {retry_in_ms} ms (last failure: {reason})"
    )]
    Unavailable {
        /// Milliseconds until a node may ask WeChat again.
        retry_in_ms: u64,
        /// The last failure as text (an error code or kind, never a secret).
        reason: String,
    },
    /// The shared token store (PostgreSQL) failed.
    #[error("access token store failed")]
    Store(#[source] anyhow::Error),
}

impl From<reqwest::Error> for WechatError {
    fn from(e: reqwest::Error) -> Self {
        WechatError::Http(e.without_url())
    }
}
