//! Principals' tokens read in bulk: the per-node revocation sweep of open sockets
//! (`chat::revocation`). One request's token is read by `http::auth` (sql/auth/*_token.sql); these
//! statements apply the same access rules to a whole page of principals at once.

use deadpool_postgres::GenericClient;

use crate::sql;

/// `(id, token)` of the customers among `ids` who still have access; the others are left out.
pub async fn customer_tokens(
    db: &impl GenericClient,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, tokio_postgres::Error> {
    tokens(db, sql!("auth/customer_tokens"), ids).await
}

/// `(id, token)` of the radar users among `ids` who still have access; the others are left out.
pub async fn radar_user_tokens(
    db: &impl GenericClient,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, tokio_postgres::Error> {
    tokens(db, sql!("auth/radar_user_tokens"), ids).await
}

async fn tokens(
    db: &impl GenericClient,
    sql: &str,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, tokio_postgres::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = db.prepare_cached(sql).await?;
    let rows = db.query(&stmt, &[&ids]).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}
