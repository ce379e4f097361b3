//! `chat_messages` and the `conversations` preview (spec §6.1).

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use serde_json::Value;

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

/// A message to store.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub radar_user: i64,
    pub customer: i64,
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

/// Who writes a message and why: the one place that decides its `send_type`, which side it is
/// unread for, and which binding counter it bumps (spec §5.2, §6.1, §7). Handlers never spell
/// those out themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// M6 / WS-M: the customer writes (read for them; unread for the radar user).
    CustomerText,
    /// R5 / WS-R1: the radar user writes, quoting the pair's latest article if any.
    RadarText,
    /// The greeting a new binding posts for the radar user (counts nowhere).
    Greeting,
    /// "我的手机号是: …" after M7: from the customer, unread for both so every socket shows it.
    PhoneEcho,
    /// A product consultation card from the customer, unread for both.
    Consult,
}

impl Origin {
    /// The message `content` from this origin in the pair, with the sender's retry key.
    pub fn message(
        self,
        radar_user: i64,
        customer: i64,
        content: Value,
        client_msg_id: Option<String>,
    ) -> NewMessage {
        use Origin::*;
        let (send_type, unread_for_customer, unread_for_radar, counter) = match self {
            CustomerText => (2, false, true, Counter::CustomerMessage),
            RadarText => (1, true, false, Counter::RadarMessage),
            Greeting => (1, true, false, Counter::None),
            PhoneEcho | Consult => (2, true, true, Counter::CustomerMessage),
        };
        NewMessage {
            radar_user,
            customer,
            send_type,
            content,
            unread_for_customer,
            unread_for_radar,
            client_msg_id,
            quotes_article: self == RadarText,
            counter,
        }
    }
}

/// The stored row's identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    pub id: i64,
    /// Its place in the conversation: 1, 2, 3… in commit order, no gaps (issue 9).
    pub seq: i64,
    pub create_date: DateTime<Utc>,
    /// False when a retry with the same `client_msg_id` returned the first message.
    pub inserted: bool,
    /// What the customer's push needs, as the batch saw it: their unread radar messages of the
    /// pair counting this one, and their read watermark (issue 10: pushes read nothing).
    pub customer_badge: i64,
    pub customer_read_seq: i64,
}

/// Messages in the pair (excluding stored temp media).
pub async fn count_pair(
    db: &impl GenericClient,
    radar_user: i64,
    customer: i64,
) -> Result<i64, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("message/count_pair")).await?;
    Ok(db.query_one(&stmt, &[&radar_user, &customer]).await?.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_origin_sets_the_legacy_rules_of_its_message() {
        let rules = |o: Origin| {
            let m = o.message(1, 2, serde_json::json!({"info_type": 1}), Option::None);
            (
                m.send_type,
                m.unread_for_customer,
                m.unread_for_radar,
                m.counter,
                m.quotes_article,
            )
        };
        let (customer, radar, none) = (
            Counter::CustomerMessage,
            Counter::RadarMessage,
            Counter::None,
        );
        assert_eq!(
            rules(Origin::CustomerText),
            (2, false, true, customer, false)
        );
        assert_eq!(rules(Origin::RadarText), (1, true, false, radar, true));
        assert_eq!(rules(Origin::Greeting), (1, true, false, none, false));
        assert_eq!(rules(Origin::PhoneEcho), (2, true, true, customer, false));
        assert_eq!(rules(Origin::Consult), (2, true, true, customer, false));
    }
}
