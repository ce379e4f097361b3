//! What travels on the bus between nodes: chat events addressed to one principal's channel. The
//! message itself (`ChatMessage`) is defined in `crate::wire`, below chat and storage alike.
//!
//! A message is published twice, to the customer's channel and to the radar user's; the registry
//! of each node delivers a channel's events only to sessions keyed by that channel's principal, so
//! a node subscribed to both never pushes twice.

use serde::{Deserialize, Serialize};

use crate::ids::{CustomerId, RadarUserId};
use crate::wire::ChatMessage;

/// A bus channel: everything one principal's sessions need to hear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Channel {
    /// A mini-program customer (WS-M sessions, long-polls of M8).
    Customer(CustomerId),
    /// A radar user (WS-R1/R2/R3 sessions, long-polls of R4).
    Radar(RadarUserId),
    /// Every node (subscribed by each node for as long as it runs): `Event::Resync` only.
    Everyone,
}

impl Channel {
    /// The Redis channel name under `prefix`.
    pub fn name(&self, prefix: &str) -> String {
        match self {
            Channel::Customer(id) => format!("{prefix}:c:{id}"),
            Channel::Radar(id) => format!("{prefix}:u:{id}"),
            Channel::Everyone => format!("{prefix}:all"),
        }
    }

    /// Parses a Redis channel name made by `name`.
    pub fn parse(name: &str, prefix: &str) -> Option<Channel> {
        let rest = name.strip_prefix(prefix)?.strip_prefix(':')?;
        if rest == "all" {
            return Some(Channel::Everyone);
        }
        let (kind, id) = rest.split_once(':')?;
        let id = id.parse().ok()?;
        match kind {
            "c" => Some(Channel::Customer(CustomerId(id))),
            "u" => Some(Channel::Radar(RadarUserId(id))),
            _ => None,
        }
    }
}

/// One event on one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t")]
pub enum Event {
    /// A message was committed in the pair (spec §6.3 `message`; on the radar channel it also means
    /// `contacts_changed`, and `unread_changed` when unread for the radar user).
    Message(ChatMessage),
    /// The customer read radar messages of the pair (§6.4).
    ReadReceipt {
        radar_user: RadarUserId,
        customer: CustomerId,
    },
    /// The radar user's unread count changed (they read messages over HTTP or another device).
    RadarUnreadChanged { radar_user: RadarUserId },
    /// A node lost events it published (Redis was unreachable): every node catches its sessions
    /// up from PostgreSQL.
    Resync,
}

/// An event as delivered by the bus: the channel it came on, and the event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub channel: Channel,
    pub event: Event,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_round_trip() {
        for c in [
            Channel::Customer(CustomerId(7)),
            Channel::Radar(RadarUserId(42)),
            Channel::Everyone,
        ] {
            assert_eq!(Channel::parse(&c.name("radar-x"), "radar-x"), Some(c));
        }
        assert_eq!(Channel::parse("other:c:1", "radar"), None);
        assert_eq!(Channel::parse("radar:z:1", "radar"), None);
    }

    #[test]
    fn events_serialize_with_a_tag() {
        let e = Event::ReadReceipt {
            radar_user: RadarUserId(1),
            customer: CustomerId(2),
        };
        let text = serde_json::to_string(&e).unwrap();
        assert!(text.contains("\"t\":\"ReadReceipt\""));
        assert_eq!(serde_json::from_str::<Event>(&text).unwrap(), e);
    }
}
