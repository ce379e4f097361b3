//! What each listener hears: its `Interest` (which pair, badge or contact list) and the delivery
//! rules of spec §6.3 (`wants`), pure functions of the event and the channel it came on. The
//! registry asks `wants` for every listener of a channel an event arrives on.

use super::{Channel, Envelope, Event};
use crate::ids::{CustomerId, RadarUserId};

/// What a listener wants to hear on its channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interest {
    /// WS-M: a customer's socket bound to the pair with `radar_user`.
    CustomerChat { radar_user: RadarUserId },
    /// WS-R1: a radar user's chat socket for the pair with `customer`.
    RadarChat { customer: CustomerId },
    /// WS-R2: the radar badge.
    RadarBadge,
    /// WS-R3: the radar contact list.
    RadarContacts,
    /// A long-poll (M8 with `wait`) for the pair with `radar_user`.
    CustomerWait { radar_user: RadarUserId },
    /// A long-poll (R4 with `wait`) for the pair with `customer`.
    RadarWait { customer: CustomerId },
}

/// Whether a listener with `interest` hears `envelope` (spec §6.3 delivery table).
pub fn wants(interest: Interest, envelope: &Envelope) -> bool {
    use Interest::*;
    match (&envelope.event, envelope.channel) {
        (Event::Message(m), Channel::Customer(_)) => match interest {
            // Unread for the customer, or the customer's own message (echo to all its devices).
            CustomerChat { radar_user } => {
                radar_user == m.radar_user && (m.unread_for_customer || m.from_customer())
            }
            CustomerWait { radar_user } => radar_user == m.radar_user,
            _ => false,
        },
        (Event::Message(m), Channel::Radar(_)) => match interest {
            RadarChat { customer } => {
                customer == m.customer && (m.unread_for_radar || !m.from_customer())
            }
            RadarBadge => m.unread_for_radar,
            RadarContacts => true,
            RadarWait { customer } => customer == m.customer,
            _ => false,
        },
        (Event::ReadReceipt { customer, .. }, Channel::Radar(_)) => {
            interest
                == RadarChat {
                    customer: *customer,
                }
        }
        (Event::RadarUnreadChanged { .. }, Channel::Radar(_)) => {
            matches!(interest, RadarBadge | RadarContacts)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ChatMessage;

    fn message(send_type: i16, unread_c: bool, unread_r: bool) -> Event {
        Event::Message(ChatMessage {
            id: 1,
            seq: 1,
            radar_user: RadarUserId(10),
            customer: CustomerId(20),
            send_type,
            content: serde_json::json!({"info_type": 1, "msg": "x"}),
            create_date: chrono::Utc::now(),
            client_msg_id: None,
            unread_for_customer: unread_c,
            unread_for_radar: unread_r,
            customer_view: None,
        })
    }

    fn on(channel: Channel, event: Event) -> Envelope {
        Envelope { channel, event }
    }

    #[test]
    fn customer_sockets_hear_unread_radar_messages_and_their_own_echo() {
        let chat = Interest::CustomerChat {
            radar_user: RadarUserId(10),
        };
        assert!(wants(
            chat,
            &on(Channel::Customer(CustomerId(20)), message(1, true, false))
        ));
        assert!(wants(
            chat,
            &on(Channel::Customer(CustomerId(20)), message(2, false, true))
        ));
        assert!(!wants(
            Interest::CustomerChat {
                radar_user: RadarUserId(11)
            },
            &on(Channel::Customer(CustomerId(20)), message(1, true, false))
        ));
        assert!(!wants(
            chat,
            &on(Channel::Radar(RadarUserId(10)), message(1, true, false))
        ));
    }

    #[test]
    fn radar_listeners_hear_what_the_delivery_table_says() {
        let customer_msg = on(Channel::Radar(RadarUserId(10)), message(2, false, true));
        assert!(wants(
            Interest::RadarChat {
                customer: CustomerId(20)
            },
            &customer_msg
        ));
        assert!(!wants(
            Interest::RadarChat {
                customer: CustomerId(21)
            },
            &customer_msg
        ));
        assert!(wants(Interest::RadarBadge, &customer_msg));
        assert!(wants(Interest::RadarContacts, &customer_msg));
        let own = on(Channel::Radar(RadarUserId(10)), message(1, true, false));
        assert!(
            wants(
                Interest::RadarChat {
                    customer: CustomerId(20)
                },
                &own
            ),
            "echo of the radar user's own message"
        );
        assert!(!wants(Interest::RadarBadge, &own));
        let receipt = on(
            Channel::Radar(RadarUserId(10)),
            Event::ReadReceipt {
                radar_user: RadarUserId(10),
                customer: CustomerId(20),
            },
        );
        assert!(wants(
            Interest::RadarChat {
                customer: CustomerId(20)
            },
            &receipt
        ));
        assert!(!wants(
            Interest::RadarChat {
                customer: CustomerId(21)
            },
            &receipt
        ));
        assert!(!wants(Interest::RadarBadge, &receipt));
    }
}
