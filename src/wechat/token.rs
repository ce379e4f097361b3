//! [`AccessTokens`]: one WeChat access token per app for the whole cluster.
//!
//! WeChat wants the token fetched by one central service, not by every node (a fetch from the old
//! `cgi-bin/token` invalidates the previous token; `stable_token` is rate-limited). Radar has no
//! such service, so PostgreSQL plays it: table `wechat_access_tokens` holds each app's token and
//! when to refresh it, and its row is the lease: a node asks WeChat only while it holds the row
//! `FOR UPDATE`, and whoever waited on the lock finds the new token there. Inside a node a
//! per-app mutex lets one caller go to the database while the others wait for its answer, and a
//! local copy serves until `refresh_after`.
//!
//! Failures are cached too (`failed_until`, `wechat.token_retry_after_ms`): while WeChat is down
//! every node answers [`WechatError::Unavailable`] at once instead of queueing more fetches.
//!
//! Tokens are [`SecretString`]s: never logged, never in an error. They are stored in plain text in
//! the database, like the app secrets beside them.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use deadpool_postgres::Pool;
use secrecy::{ExposeSecret, SecretString};
use tokio_postgres::Row;

use super::{Client, WechatError};
use crate::config::{WechatMode, WechatSettings};
use crate::sql;

/// A token is fetched anew this long before WeChat says it expires: `stable_token` hands out the
/// next token in the last 5 minutes, while the old one stays valid until its end.
const REFRESH_MARGIN_SECS: u64 = 300;

/// WeChat's answers meaning "this access token is no longer valid": refresh once and retry.
const STALE_TOKEN_CODES: [i64; 3] = [40001, 40014, 42001];

/// Longest text kept as `last_error`.
const MAX_ERROR_TEXT: usize = 200;

/// The cluster-wide access-token cache. Cheap to clone.
#[derive(Clone)]
pub struct AccessTokens {
    client: Client,
    db: Pool,
    mode: WechatMode,
    retry_after: Duration,
    lock_timeout: Duration,
    local: Arc<Mutex<HashMap<String, Local>>>,
    gates: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

#[derive(Clone)]
struct Local {
    token: SecretString,
    until: Instant,
}

/// One row of `wechat_access_tokens` as read (sql/wechat/token_peek.sql).
struct Stored {
    token: Option<SecretString>,
    fresh: bool,
    failing: bool,
    last_error: Option<String>,
    secs_left: f64,
    retry_in: f64,
    forced_recently: bool,
}

impl Stored {
    fn from_row(row: &Row) -> Stored {
        Stored {
            token: row.get::<_, Option<String>>(0).map(SecretString::from),
            fresh: row.get(1),
            failing: row.get(2),
            last_error: row.get(3),
            secs_left: row.get(4),
            retry_in: row.get(5),
            forced_recently: row.get(6),
        }
    }

    fn unavailable(&self) -> WechatError {
        WechatError::Unavailable {
            retry_in_ms: (self.retry_in * 1000.0).ceil() as u64,
            reason: self.last_error.clone().unwrap_or_default(),
        }
    }
}

impl AccessTokens {
    /// The cache of this node, sharing tokens with the other nodes through `db`.
    pub fn new(client: Client, db: Pool, settings: &WechatSettings) -> AccessTokens {
        AccessTokens {
            client,
            db,
            mode: settings.mode,
            retry_after: Duration::from_millis(settings.token_retry_after_ms),
            // Waiting longer than one fetch of another node is pointless.
            lock_timeout: Duration::from_millis(settings.timeout_ms.saturating_mul(2) + 1000),
            local: Arc::default(),
            gates: Arc::default(),
        }
    }

    /// The app's current access token: from this node's copy, the shared row, or (one node at a
    /// time) WeChat's `stable_token`.
    pub async fn get(
        &self,
        appid: &str,
        secret: &SecretString,
    ) -> Result<SecretString, WechatError> {
        self.obtain(appid, secret, None).await
    }

    /// Runs `call` with the app's token; when WeChat answers that the token is invalid or expired
    /// (40001, 40014, 42001), refreshes it once (`force_refresh`, unless another node already
    /// did) and runs `call` once more. Never loops.
    pub async fn call<T, F, Fut>(
        &self,
        appid: &str,
        secret: &SecretString,
        call: F,
    ) -> Result<T, WechatError>
    where
        F: Fn(SecretString) -> Fut,
        Fut: Future<Output = Result<T, WechatError>>,
    {
        let token = self.get(appid, secret).await?;
        match call(token.clone()).await {
            Err(WechatError::Api { errcode, .. }) if STALE_TOKEN_CODES.contains(&errcode) => {
                tracing::info!(appid, errcode, "access token refused; refreshing it once");
                let fresh = self.obtain(appid, secret, Some(&token)).await?;
                call(fresh).await
            }
            other => other,
        }
    }

    /// `stale`: the token WeChat refused (None = a plain get).
    async fn obtain(
        &self,
        appid: &str,
        secret: &SecretString,
        stale: Option<&SecretString>,
    ) -> Result<SecretString, WechatError> {
        if self.mode == WechatMode::Dev {
            return Ok(SecretString::from(super::dev::DEV_ACCESS_TOKEN));
        }
        if let Some(t) = self.local_token(appid, stale) {
            return Ok(t);
        }
        let gate = self.gate(appid);
        let _one_at_a_time = gate.lock().await;
        // Another caller of this node may have fetched while this one waited.
        if let Some(t) = self.local_token(appid, stale) {
            return Ok(t);
        }
        let mut db = self.db.get().await.map_err(store_error)?;
        if stale.is_none() {
            if let Some(row) = db
                .query_opt(sql!("wechat/token_peek"), &[&appid])
                .await
                .map_err(store_error)?
            {
                let stored = Stored::from_row(&row);
                if let (true, Some(token)) = (stored.fresh, &stored.token) {
                    return Ok(self.keep(appid, token, stored.secs_left));
                }
                if stored.failing {
                    return Err(stored.unavailable());
                }
            }
        }
        let tx = db.transaction().await.map_err(store_error)?;
        let lock_timeout = format!("{}ms", self.lock_timeout.as_millis());
        tx.query_one(sql!("wechat/lock_timeout"), &[&lock_timeout])
            .await
            .map_err(store_error)?;
        tx.execute(sql!("wechat/token_ensure"), &[&appid])
            .await
            .map_err(store_error)?;
        tx.query_one(sql!("wechat/token_lock"), &[&appid])
            .await
            .map_err(store_error)?;
        let row = tx
            .query_one(sql!("wechat/token_peek"), &[&appid])
            .await
            .map_err(store_error)?;
        let stored = Stored::from_row(&row);
        if let (true, Some(token)) = (stored.fresh, &stored.token) {
            let replaced = stale.is_none_or(|s| s.expose_secret() != token.expose_secret());
            if replaced {
                return Ok(self.keep(appid, token, stored.secs_left));
            }
        }
        if stored.failing {
            return Err(stored.unavailable());
        }
        // WeChat allows a forced refresh at most every 30 s (and 20 a day).
        let force = stale.is_some() && !stored.forced_recently;
        match self.client.access_token(appid, secret, force).await {
            Ok((token, expires_in)) => {
                let secs = use_for_secs(expires_in) as f64;
                tx.execute(
                    sql!("wechat/token_store"),
                    &[&appid, &token.expose_secret(), &secs, &force],
                )
                .await
                .map_err(store_error)?;
                tx.commit().await.map_err(store_error)?;
                tracing::info!(appid, force, expires_in, "access token fetched from WeChat");
                Ok(self.keep(appid, &token, secs))
            }
            Err(e) => {
                let mut why = e.to_string();
                truncate(&mut why, MAX_ERROR_TEXT);
                let secs = self.retry_after.as_secs_f64();
                tx.execute(sql!("wechat/token_failed"), &[&appid, &secs, &why])
                    .await
                    .map_err(store_error)?;
                tx.commit().await.map_err(store_error)?;
                tracing::warn!(appid, error = %why, retry_in_secs = secs, "access token fetch failed");
                Err(e)
            }
        }
    }

    /// This node's copy, unless it is the refused one or past its time.
    fn local_token(&self, appid: &str, stale: Option<&SecretString>) -> Option<SecretString> {
        let mut local = self.local.lock().unwrap_or_else(|p| p.into_inner());
        let entry = local.get(appid)?;
        let refused = stale.is_some_and(|s| s.expose_secret() == entry.token.expose_secret());
        if refused || entry.until <= Instant::now() {
            local.remove(appid);
            return None;
        }
        Some(entry.token.clone())
    }

    fn keep(&self, appid: &str, token: &SecretString, secs: f64) -> SecretString {
        let until = Instant::now() + Duration::from_secs_f64(secs.max(0.0));
        let mut local = self.local.lock().unwrap_or_else(|p| p.into_inner());
        local.insert(
            appid.to_owned(),
            Local {
                token: token.clone(),
                until,
            },
        );
        token.clone()
    }

    fn gate(&self, appid: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut gates = self.gates.lock().unwrap_or_else(|p| p.into_inner());
        gates.entry(appid.to_owned()).or_default().clone()
    }
}

/// How long a token that WeChat says lives `expires_in` seconds is used: until the refresh margin,
/// but at least half its life (so a short answer cannot make every call fetch again).
fn use_for_secs(expires_in: u64) -> u64 {
    expires_in
        .saturating_sub(REFRESH_MARGIN_SECS)
        .max(expires_in / 2)
}

fn truncate(text: &mut String, max: usize) {
    if text.len() > max {
        let mut cut = max;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
}

fn store_error(e: impl std::error::Error + Send + Sync + 'static) -> WechatError {
    WechatError::Store(anyhow::Error::new(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_used_until_five_minutes_before_expiry_but_at_least_half_its_life() {
        assert_eq!(use_for_secs(7200), 6900);
        assert_eq!(use_for_secs(400), 200);
        assert_eq!(use_for_secs(0), 0);
    }

    #[test]
    fn error_text_is_cut_on_a_char_boundary() {
        let mut s = "错误".repeat(100);
        truncate(&mut s, 200);
        assert!(s.len() <= 200);
        assert!(s.chars().all(|c| c == '错' || c == '误'));
    }
}
