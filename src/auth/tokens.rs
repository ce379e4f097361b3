//! `Tokens`: the principals' tokens as each family's table holds them, cached per node for
//! `auth.token_cache_secs`, and the check of a signed triple against them. The HTTP extractor and
//! the socket sessions share one `Tokens` per node.

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Pool;

use super::principal::{Family, SignedIds};
use super::signature::{now_ms, signature_matches, timestamp_fresh};
use crate::error::ApiError;
use crate::ttl_cache::TtlCache;

/// The node's view of principals' tokens. Cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct Tokens(Arc<Inner>);

struct Inner {
    db: Pool,
    /// Recently read tokens: a disabling or deletion takes effect within this cache's TTL.
    cache: Arc<TtlCache<(Family, i64), String>>,
    /// How far a triple's `timestamp` may lie from now (0 = not checked).
    window_secs: u64,
}

impl Tokens {
    /// Tokens read from `db`, cached for `cache_ttl`; triples must be within `window_secs`.
    pub fn new(db: Pool, cache_ttl: Duration, window_secs: u64) -> Tokens {
        Tokens(Arc::new(Inner {
            db,
            cache: TtlCache::purged(cache_ttl),
            window_secs,
        }))
    }

    /// Checks a triple against `family`'s table and returns the signed principal id; anything
    /// wrong (no such principal, a wrong `rand_str`, a stale `timestamp`) is `BadSignature`.
    pub async fn verify(&self, family: Family, ids: &SignedIds) -> Result<i64, ApiError> {
        let token = self
            .load(family, ids.user_id)
            .await?
            .ok_or(ApiError::BadSignature)?;
        if self.matches(ids, &token) {
            crate::telemetry::span::record_request_principal(family.label(), ids.user_id);
            Ok(ids.user_id)
        } else {
            Err(ApiError::BadSignature)
        }
    }

    /// The token of principal `user_id` in `family`'s table (cached briefly; sockets also cache
    /// it per session).
    pub async fn load(&self, family: Family, user_id: i64) -> Result<Option<String>, ApiError> {
        if let Some(token) = self.0.cache.get(&(family, user_id)) {
            return Ok(Some(token));
        }
        self.fresh(family, user_id).await
    }

    /// The token of principal `user_id` read from the database now (no cache; it refreshes the
    /// cache). `None`: no such principal, or one that lost access (disabled, deleted, or of a
    /// deleted company; see sql/auth/). Open sockets call it every `auth.token_cache_secs`.
    pub async fn fresh(&self, family: Family, user_id: i64) -> Result<Option<String>, ApiError> {
        let db = self.0.db.get().await?;
        let stmt = db.prepare_cached(family.token_sql()).await?;
        let token: Option<String> = db.query_opt(&stmt, &[&user_id]).await?.map(|r| r.get(0));
        if let Some(token) = &token {
            self.0.cache.put((family, user_id), token.clone());
        }
        Ok(token)
    }

    /// Whether the triple is fresh and signed with `token`.
    pub fn matches(&self, ids: &SignedIds, token: &str) -> bool {
        timestamp_fresh(&ids.timestamp, now_ms(), self.0.window_secs)
            && signature_matches(&ids.timestamp, token, &ids.rand_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::md5_hex;

    fn signed(timestamp: &str, token: &str) -> SignedIds {
        SignedIds {
            user_id: 1,
            timestamp: timestamp.to_owned(),
            rand_str: md5_hex(&format!("{timestamp}{token}")),
        }
    }

    #[tokio::test]
    async fn a_triple_matches_only_its_token_and_only_while_fresh() {
        // The pool opens no connection until asked for one; `matches` never asks.
        let db = crate::store::pool("postgres://127.0.0.1/unused", 1).unwrap();
        let tokens = Tokens::new(db.clone(), Duration::ZERO, 900);
        let now = now_ms().to_string();
        assert!(tokens.matches(&signed(&now, "tok"), "tok"));
        assert!(!tokens.matches(&signed(&now, "tok"), "other"));
        assert!(
            !tokens.matches(&signed("1700000000000", "tok"), "tok"),
            "stale"
        );
        let no_window = Tokens::new(db, Duration::ZERO, 0);
        assert!(no_window.matches(&signed("1700000000000", "tok"), "tok"));
    }
}
