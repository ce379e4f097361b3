//! `action_logs`: the radar feed rows written by RecordAction (spec §4.1).

use deadpool_postgres::GenericClient;

use crate::sql;

/// Inserts the feed row if the company is live and the customer has a nickname; returns the name.
pub async fn record(
    db: &impl GenericClient,
    radar_user: i64,
    customer: i64,
    action: i16,
    remark: &str,
    diary: Option<i64>,
) -> Result<Option<String>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("action/record")).await?;
    let row = db
        .query_opt(&stmt, &[&radar_user, &customer, &action, &remark, &diary])
        .await?;
    Ok(row.map(|r| r.get(0)))
}

/// The customer's name if a chat notification (action 0) may be sent.
pub async fn chat_notice_name(
    db: &impl GenericClient,
    radar_user: i64,
    customer: i64,
) -> Result<Option<String>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("action/chat_notice_name")).await?;
    Ok(db
        .query_opt(&stmt, &[&radar_user, &customer])
        .await?
        .map(|r| r.get(0)))
}
