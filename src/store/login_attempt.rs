//! `login_attempts`: failed-login counters shared by every node (see `http::login_limit`).

use deadpool_postgres::GenericClient;

use crate::sql;

/// A reserved attempt: the key's count with it, and whether the key had served a block before.
#[derive(Debug, Clone, Copy)]
pub struct Reserved {
    pub count: u32,
    pub served_block: bool,
}

/// Reserves one attempt of `key` (counted as a failure until refunded); `None` while the key is
/// blocked.
pub async fn reserve(
    db: &impl GenericClient,
    key: &str,
    window_secs: u64,
) -> Result<Option<Reserved>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("login_attempt/reserve")).await?;
    let window = window_secs as f64;
    Ok(db
        .query_opt(&stmt, &[&key, &window])
        .await?
        .map(|r| Reserved {
            count: u32::try_from(r.get::<_, i32>(0)).unwrap_or(0),
            served_block: r.get(1),
        }))
}

/// Gives back one reserved attempt of `key`, lifting its block when that brings it below `limit`.
pub async fn refund(
    db: &impl GenericClient,
    key: &str,
    limit: u32,
) -> Result<(), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("login_attempt/refund")).await?;
    db.execute(&stmt, &[&key, &i32::try_from(limit).unwrap_or(i32::MAX)])
        .await?;
    Ok(())
}

/// Blocks `key` for `secs` seconds.
pub async fn block(
    db: &impl GenericClient,
    key: &str,
    secs: u64,
) -> Result<(), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("login_attempt/block")).await?;
    db.execute(&stmt, &[&key, &(secs as f64)]).await?;
    Ok(())
}

/// Forgets `key`'s failures.
pub async fn clear(db: &impl GenericClient, key: &str) -> Result<(), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("login_attempt/clear")).await?;
    db.execute(&stmt, &[&key]).await?;
    Ok(())
}

/// Drops keys quiet for a day.
pub async fn purge(db: &impl GenericClient) -> Result<u64, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("login_attempt/purge")).await?;
    db.execute(&stmt, &[]).await
}
