//! The signed query string of the three principal families (spec §2.2).
//!
//! The triple is read from the query string here and checked by `auth::Tokens` (shared with the
//! sockets): a missing row, a wrong `rand_str` or a stale `timestamp` all answer exactly
//! `{code:400, msg:'token异常'}`. The returned id is the only identity a handler may act as.

use crate::auth::Family;
use crate::auth::SignedIds;
use crate::error::ApiError;
use crate::http::params::Params;
use crate::state::AppState;

/// Checks the signature triple in the query string and returns the signed principal id.
pub async fn verify(state: &AppState, family: Family, params: &Params) -> Result<i64, ApiError> {
    let ids = signed_ids(params).ok_or(ApiError::BadSignature)?;
    state.tokens.verify(family, &ids).await
}

/// The triple of a query string (`user_id`, `timestamp`, `rand_str`); `None` when `user_id` or
/// `rand_str` is missing or `user_id` is not a number.
fn signed_ids(p: &Params) -> Option<SignedIds> {
    Some(SignedIds {
        user_id: p.query("user_id")?.trim().parse().ok()?,
        timestamp: p.query("timestamp").unwrap_or("").to_owned(),
        rand_str: p.query("rand_str")?.to_owned(),
    })
}
