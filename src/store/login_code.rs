//! `login_codes`: js_code de-duplication. The first answer is stored and replayed for a repeat.

use deadpool_postgres::GenericClient;
use serde_json::Value;

use crate::sql;

/// Whether this request is the first to present `code`.
pub async fn claim(db: &impl GenericClient, code: &str) -> Result<bool, tokio_postgres::Error> {
    let purge = db.prepare_cached(sql!("login_code/purge")).await?;
    db.execute(&purge, &[]).await?;
    let stmt = db.prepare_cached(sql!("login_code/claim")).await?;
    Ok(db.query_opt(&stmt, &[&code]).await?.is_some())
}

/// The stored answer of an earlier claim, once it has finished.
pub async fn response(
    db: &impl GenericClient,
    code: &str,
) -> Result<Option<Value>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("login_code/response")).await?;
    Ok(db.query_opt(&stmt, &[&code]).await?.and_then(|r| r.get(0)))
}

/// Stores the answer of the first claim.
pub async fn save_response(
    db: &impl GenericClient,
    code: &str,
    resp: &Value,
) -> Result<(), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("login_code/save_response")).await?;
    db.execute(&stmt, &[&code, resp]).await?;
    Ok(())
}
