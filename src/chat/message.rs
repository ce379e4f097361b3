//! Every kind of chat message and its legacy rules, in one place: who sends it (`send_type`),
//! which side it is unread for, which binding counter it bumps (spec §5.2, §6.1, §7), and the
//! `content` of the messages the server writes itself (the binding greeting, the phone echo, the
//! product consult). Handlers name a kind; they never spell out `send_type` or `info_type`.
//! Every message, whatever its kind, is then stored by `chat::service::send`.

use serde_json::{json, Value};

use crate::ids::{CustomerId, RadarUserId};
use crate::store::message::{Counter, NewMessage};
use crate::store::product::Product;

/// Who writes a message and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
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

impl MessageKind {
    /// The message `content` of this kind in the pair, with the sender's retry key.
    pub fn message(
        self,
        radar_user: RadarUserId,
        customer: CustomerId,
        content: Value,
        client_msg_id: Option<String>,
    ) -> NewMessage {
        use MessageKind::*;
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

/// The greeting a new binding posts for the radar user `username` of `company` (spec M2).
pub fn greeting(
    radar_user: RadarUserId,
    customer: CustomerId,
    company: &str,
    username: &str,
) -> NewMessage {
    let text = format!(
        "您好,我是{company}的{username},欢迎进入我的名片,有什么可以帮到您的吗?您可以在这里和我及时沟通。"
    );
    let content = json!({"info_type": 1, "msg": text});
    MessageKind::Greeting.message(radar_user, customer, content, None)
}

/// "我的手机号是: …", the customer's number echoed into the chat after M7.
pub fn phone_echo(radar_user: RadarUserId, customer: CustomerId, phone: &str) -> NewMessage {
    let content = json!({"info_type": 1, "msg": format!("我的手机号是: {phone}")});
    MessageKind::PhoneEcho.message(radar_user, customer, content, None)
}

/// The product card a customer's consultation (M22) posts: name, price, first cover picture.
pub fn consult(radar_user: RadarUserId, customer: CustomerId, product: &Product) -> NewMessage {
    let cover = product.content["cover_data"][0]["data"][0]
        .as_str()
        .unwrap_or_default();
    let content = json!({
        "info_type": 2,
        "product_name": product.name,
        "product_price": product.price,
        "product_cover_url": cover,
        "product_id": product.id,
    });
    MessageKind::Consult.message(radar_user, customer, content, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_sets_the_legacy_rules_of_its_message() {
        let rules = |k: MessageKind| {
            let m = k.message(
                RadarUserId(1),
                CustomerId(2),
                json!({"info_type": 1}),
                Option::None,
            );
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
        use MessageKind::*;
        assert_eq!(rules(CustomerText), (2, false, true, customer, false));
        assert_eq!(rules(RadarText), (1, true, false, radar, true));
        assert_eq!(rules(Greeting), (1, true, false, none, false));
        assert_eq!(rules(PhoneEcho), (2, true, true, customer, false));
        assert_eq!(rules(Consult), (2, true, true, customer, false));
    }

    #[test]
    fn server_made_messages_carry_their_legacy_content_and_kind() {
        let g = greeting(RadarUserId(1), CustomerId(2), "雷达", "小王");
        assert_eq!(
            (g.radar_user, g.customer, g.send_type),
            (RadarUserId(1), CustomerId(2), 1)
        );
        assert_eq!(
            g.content,
            json!({"info_type": 1, "msg": "您好,我是雷达的小王,欢迎进入我的名片,有什么可以帮到您的吗?您可以在这里和我及时沟通。"})
        );
        let p = phone_echo(RadarUserId(1), CustomerId(2), "13800000000");
        assert_eq!(p.content["msg"], "我的手机号是: 13800000000");
        assert!(p.unread_for_customer && p.unread_for_radar);
        let product = Product {
            id: 9,
            name: "茶".into(),
            price: "12.00".into(),
            reason: String::new(),
            content: json!({"cover_data": [{"data": ["a.png", "b.png"]}]}),
            status: 1,
            create_date: chrono::Utc::now(),
        };
        let c = consult(RadarUserId(1), CustomerId(2), &product);
        assert_eq!(
            c.content,
            json!({"info_type": 2, "product_name": "茶", "product_price": "12.00",
                   "product_cover_url": "a.png", "product_id": 9})
        );
        assert_eq!(c.counter, Counter::CustomerMessage);
    }
}
