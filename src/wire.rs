//! The committed chat message, in the one shape every layer shares: the writer answers a send
//! with it, the bus carries it between nodes (its serde form is the Redis wire format: fields
//! may be added with `#[serde(default)]`, never renamed), `store::chat` reads it back, and the
//! renders turn it into the legacy items. It lives below both `chat` and `store`, so storage does
//! not import the chat core. A message to store is `store::message::NewMessage`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids::{CustomerId, RadarUserId};

/// A committed chat message: what the writer answers, what the bus carries, what reads return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub id: i64,
    /// Its place in the conversation (1, 2, 3… without gaps).
    pub seq: i64,
    pub radar_user: RadarUserId,
    pub customer: CustomerId,
    /// 1 radar→customer, 2 customer→radar.
    pub send_type: i16,
    pub content: Value,
    pub create_date: DateTime<Utc>,
    pub client_msg_id: Option<String>,
    pub unread_for_customer: bool,
    pub unread_for_radar: bool,
    /// The customer's side as the writer's batch saw it (absent on messages read back from the
    /// database, and from nodes of an older version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_view: Option<CustomerView>,
}

/// The customer's unread radar messages of the pair counting this message, and their read
/// watermark, at the commit of the message: the mini-program push shows the badge without asking
/// the database (spec §6.6 WS-M `unread_msg_num`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerView {
    pub badge: i64,
    pub read_seq: i64,
}

impl ChatMessage {
    /// Whether the customer sent it (its echo goes to the customer's own sessions).
    pub fn from_customer(&self) -> bool {
        self.send_type == 2
    }
}
