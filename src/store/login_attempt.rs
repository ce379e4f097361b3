//! `login_attempts`: failed-login counters shared by every node (see `http::login_limit`).

use deadpool_postgres::GenericClient;

use crate::sql;

/// Whether any of `keys` is blocked now.
pub async fn blocked(
    db: &impl GenericClient,
    keys: &[String],
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("login_attempt/blocked")).await?;
    Ok(db.query_one(&stmt, &[&keys]).await?.get(0))
}

/// Counts one failure of `key` and returns its count within the window.
pub async fn fail(
    db: &impl GenericClient,
    key: &str,
    window_secs: u64,
) -> Result<i32, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("login_attempt/fail")).await?;
    let window = window_secs as f64;
    Ok(db.query_one(&stmt, &[&key, &window]).await?.get(0))
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
