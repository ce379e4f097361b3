//! Signed-request checks for the three principal families (spec §2.2).
//!
//! Each family's `user_id` is looked up in its own table; a missing row, a wrong `rand_str` or a stale
//! `timestamp` all answer exactly `{code:400, msg:'token异常'}`. The returned id is the only identity
//! a handler may act as.

use crate::auth::{now_ms, signature_matches, timestamp_fresh};
use crate::error::ApiError;
use crate::http::params::Params;
use crate::state::AppState;

/// Which table protects an endpoint family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// `/zhugeleida/xiaochengxu/*` → customers.
    Customer,
    /// `/zhugeleida/qiyeweixin/*` → radar users.
    Radar,
    /// `/zhugeleida/admin/*` → admin users.
    Admin,
}

impl Family {
    /// The principal kind in logs and metric labels: `customer`, `radar` or `admin`.
    pub fn label(self) -> &'static str {
        match self {
            Family::Customer => "customer",
            Family::Radar => "radar",
            Family::Admin => "admin",
        }
    }

    fn token_sql(self) -> &'static str {
        match self {
            Family::Customer => include_str!("../../sql/auth/customer_token.sql"),
            Family::Radar => include_str!("../../sql/auth/radar_user_token.sql"),
            Family::Admin => include_str!("../../sql/auth/admin_token.sql"),
        }
    }
}

/// Checks the signature triple in the query string and returns the signed principal id.
pub async fn verify(state: &AppState, family: Family, params: &Params) -> Result<i64, ApiError> {
    let ids = SignedIds::from_query(params).ok_or(ApiError::BadSignature)?;
    verify_ids(state, family, &ids).await
}

/// The triple as the client sent it.
#[derive(Debug, Clone)]
pub struct SignedIds {
    pub user_id: i64,
    pub timestamp: String,
    pub rand_str: String,
}

impl SignedIds {
    fn from_query(p: &Params) -> Option<SignedIds> {
        Some(SignedIds {
            user_id: p.query("user_id")?.trim().parse().ok()?,
            timestamp: p.query("timestamp").unwrap_or("").to_owned(),
            rand_str: p.query("rand_str")?.to_owned(),
        })
    }
}

/// Checks a triple (from a query string or a socket frame) against `family`'s table.
pub async fn verify_ids(
    state: &AppState,
    family: Family,
    ids: &SignedIds,
) -> Result<i64, ApiError> {
    let token = load_token(state, family, ids.user_id)
        .await?
        .ok_or(ApiError::BadSignature)?;
    if ids_match(state, ids, &token) {
        crate::telemetry::span::record_request_principal(family.label(), ids.user_id);
        Ok(ids.user_id)
    } else {
        Err(ApiError::BadSignature)
    }
}

/// The token of principal `user_id` in `family`'s table (cached briefly; sockets also cache it
/// per session).
pub async fn load_token(
    state: &AppState,
    family: Family,
    user_id: i64,
) -> Result<Option<String>, ApiError> {
    if let Some(token) = state.tokens.get(&(family, user_id)) {
        return Ok(Some(token));
    }
    fresh_token(state, family, user_id).await
}

/// The token of principal `user_id` read from the database now (no cache; it refreshes the
/// cache). `None`: no such principal, or one that lost access (disabled, deleted, or of a deleted
/// company; see sql/auth/). Open sockets are re-checked in bulk instead (`chat::revocation`).
async fn fresh_token(
    state: &AppState,
    family: Family,
    user_id: i64,
) -> Result<Option<String>, ApiError> {
    let db = state.db.get().await?;
    let stmt = db.prepare_cached(family.token_sql()).await?;
    let token: Option<String> = db.query_opt(&stmt, &[&user_id]).await?.map(|r| r.get(0));
    if let Some(token) = &token {
        state.tokens.put((family, user_id), token.clone());
    }
    Ok(token)
}

/// Whether the triple is fresh and signed with `token`.
pub fn ids_match(state: &AppState, ids: &SignedIds, token: &str) -> bool {
    timestamp_fresh(
        &ids.timestamp,
        now_ms(),
        state.settings.auth.timestamp_window_secs,
    ) && signature_matches(&ids.timestamp, token, &ids.rand_str)
}
