//! The shared steps of handlers acting on one existing record named by the path `{id}`: the signed
//! caller, the id, the record's company checked with [`Caller::owns`], and the legacy answer of a
//! delete. What the record is, and how it is changed, is left to each handler and its store.

use deadpool_postgres::Object;

use super::input::path_id;
use super::tenant::Caller;
use crate::error::{ApiError, Envelope};
use crate::http::params::Params;
use crate::state::AppState;

/// A record the signed caller may act on, with the connection that found it.
pub struct Owned {
    /// The signed admin.
    pub caller: Caller,
    /// The record's id, from the path.
    pub id: i64,
    /// The record's company (the caller may act on it).
    pub company: i64,
    /// The pooled connection used for the lookup, for the handler's next steps.
    pub db: Object,
}

/// Checks the signature, parses `raw_id` (field `id`), loads the record's company with
/// `company_of` and checks it with [`Caller::owns`] (`missing` when there is no such record).
pub async fn owned<F>(
    state: &AppState,
    p: &Params,
    raw_id: &str,
    company_of: F,
    missing: fn() -> ApiError,
) -> Result<Owned, ApiError>
where
    F: AsyncFn(&Object, i64) -> Result<Option<i64>, tokio_postgres::Error>,
{
    let caller = Caller::signed(state, p).await?;
    let id = path_id(raw_id, "id")?;
    let db = state.db.get().await?;
    let company = company_of(&db, id).await?;
    let company = caller.owns(state, p, company, missing).await?;
    Ok(Owned {
        caller,
        id,
        company,
        db,
    })
}

/// The answer of a delete: `'删除成功'` when it happened, else `missing` (no such record left).
pub fn deleted(done: bool, missing: impl FnOnce() -> ApiError) -> Result<Envelope, ApiError> {
    if done {
        Ok(Envelope::ok("删除成功"))
    } else {
        Err(missing())
    }
}
