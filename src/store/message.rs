//! `chat_messages` and the `conversations` preview (spec §6.1).

use deadpool_postgres::GenericClient;
use serde_json::Value;

use crate::ids::{CustomerId, RadarUserId};
use crate::sql;

/// Which binding counter a message bumps (spec §5.2 M6 step 3, §7 R5 step 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    None = 0,
    /// `is_customer_msg_num += 1`, `last_activity_time = now`.
    CustomerMessage = 1,
    /// `is_user_msg_num += 1`, `last_follow_time = now`.
    RadarMessage = 2,
}

/// A message to store, built by `chat::message` (which decides `send_type`, the unread flags and
/// the counter for each kind of message).
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub radar_user: RadarUserId,
    pub customer: CustomerId,
    /// 1 radar→customer, 2 customer→radar.
    pub send_type: i16,
    /// `{info_type, …}`.
    pub content: Value,
    pub unread_for_customer: bool,
    pub unread_for_radar: bool,
    pub client_msg_id: Option<String>,
    /// Copy the article id of the customer's newest article message (spec §7 R5 step 4); looked
    /// up by the statement that stores the batch.
    pub quotes_article: bool,
    pub counter: Counter,
}

/// Messages in the pair (excluding stored temp media).
pub async fn count_pair(
    db: &impl GenericClient,
    radar_user: RadarUserId,
    customer: CustomerId,
) -> Result<i64, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("message/count_pair")).await?;
    Ok(db.query_one(&stmt, &[&radar_user, &customer]).await?.get(0))
}
