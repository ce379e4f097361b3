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

/// What the radar feed (R6) is asked for; `None` filters are open.
#[derive(Debug, Clone, Default)]
pub struct FeedQuery {
    pub radar_user: i64,
    pub customer: Option<i64>,
    pub action: Option<i16>,
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    pub before: Option<chrono::DateTime<chrono::Utc>>,
    /// Only logs with a larger id (the console's live polling).
    pub after_id: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// One feed row with its customer.
#[derive(Debug, Clone)]
pub struct FeedRow {
    pub id: i64,
    pub action: i16,
    pub customer_id: i64,
    pub remark: String,
    /// Whether the log was unseen before this read.
    pub is_new: bool,
    pub diary_id: Option<i64>,
    pub video_id: Option<i64>,
    pub create_date: chrono::DateTime<chrono::Utc>,
    pub customer_name: Option<String>,
    pub headimgurl: String,
    pub user_type: i16,
}

/// One page of the feed, newest first, and the number of logs matched; marks the page seen.
pub async fn feed(
    db: &impl GenericClient,
    q: &FeedQuery,
) -> Result<(Vec<FeedRow>, i64), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("action/feed")).await?;
    let rows = db
        .query(
            &stmt,
            &[
                &q.radar_user,
                &q.customer,
                &q.action,
                &q.from,
                &q.before,
                &q.after_id,
                &q.limit,
                &q.offset,
            ],
        )
        .await?;
    let total = rows.first().map(|r| r.get("total")).unwrap_or(0);
    let list = rows
        .iter()
        .filter_map(|r| {
            Some(FeedRow {
                id: r.get::<_, Option<i64>>("id")?,
                action: r.get("action"),
                customer_id: r.get("customer_id"),
                remark: r.get("remark"),
                is_new: r.get("is_new"),
                diary_id: r.get("diary_id"),
                video_id: r.get("video_id"),
                create_date: r.get("create_date"),
                customer_name: r.get("username"),
                headimgurl: r.get("headimgurl"),
                user_type: r.get("user_type"),
            })
        })
        .collect();
    Ok((list, total))
}
