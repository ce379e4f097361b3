//! How a chat message looks on the wire, for each side and time format (spec §5.2, §6.6, §7).
//! Shared by the HTTP endpoints and the socket pushes so both always agree.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{json, Value};

use crate::ids::{CustomerId, RadarUserId};
use crate::store::chat::{Contact, PairInfo};
use crate::time;
use crate::wire::ChatMessage;

/// `dateTime` format: ISO for HTTP lists, `YYYY-MM-DD HH:MM:SS` for pushes and acks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    Iso,
    Plain,
}

fn date(t: DateTime<Utc>, style: DateStyle) -> String {
    match style {
        DateStyle::Iso => time::iso(t),
        DateStyle::Plain => time::datetime(t),
    }
}

/// The content keys (`info_type`, `msg`, …) flattened into an item; a content key never
/// overwrites one of the item's own fields (`own`).
struct ContentKeys<'a> {
    content: &'a Value,
    own: &'static [&'static str],
}

impl Serialize for ContentKeys<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Value::Object(c) = self.content {
            for (k, v) in c.iter().filter(|(k, _)| !self.own.contains(&k.as_str())) {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

fn display_name(pair: &PairInfo) -> Cow<'_, str> {
    match &pair.customer_name {
        Some(name) => Cow::Borrowed(name),
        None => Cow::Owned(format!("客户ID{}", pair.customer)),
    }
}

/// A message item as the customer sees it (M5, M8, WS-M pushes), serialized straight from the
/// message and the pair (no intermediate JSON tree).
#[derive(Serialize)]
pub struct CustomerItem<'a> {
    id: i64,
    seq: i64,
    client_msg_id: Option<&'a str>,
    customer_id: CustomerId,
    user_id: RadarUserId,
    user_avatar: &'a str,
    customer_headimgurl: &'a str,
    customer: Cow<'a, str>,
    #[serde(rename = "dateTime")]
    date_time: String,
    send_type: i16,
    is_first_info: bool,
    #[serde(flatten)]
    content: ContentKeys<'a>,
}

impl<'a> CustomerItem<'a> {
    const FIELDS: &'static [&'static str] = &[
        "id",
        "seq",
        "client_msg_id",
        "customer_id",
        "user_id",
        "user_avatar",
        "customer_headimgurl",
        "customer",
        "dateTime",
        "send_type",
        "is_first_info",
    ];

    pub fn new(m: &'a ChatMessage, pair: &'a PairInfo, is_first: bool, style: DateStyle) -> Self {
        CustomerItem {
            id: m.id,
            seq: m.seq,
            client_msg_id: m.client_msg_id.as_deref(),
            customer_id: m.customer,
            user_id: m.radar_user,
            user_avatar: &pair.card_avatar,
            customer_headimgurl: &pair.headimgurl,
            customer: display_name(pair),
            date_time: date(m.create_date, style),
            send_type: m.send_type,
            is_first_info: is_first,
            content: ContentKeys {
                content: &m.content,
                own: Self::FIELDS,
            },
        }
    }
}

/// A message item as the radar user sees it (R3, R4, WS-R1 pushes). `src`/`name` are the
/// customer's.
#[derive(Serialize)]
pub struct RadarItem<'a> {
    id: i64,
    seq: i64,
    client_msg_id: Option<&'a str>,
    customer_id: CustomerId,
    customer_avatar: &'a str,
    user_id: RadarUserId,
    src: &'a str,
    name: Cow<'a, str>,
    #[serde(rename = "dateTime")]
    date_time: String,
    send_type: i16,
    is_customer_already_read: u8,
    is_customer_already_read_text: &'static str,
    #[serde(flatten)]
    content: ContentKeys<'a>,
}

impl<'a> RadarItem<'a> {
    const FIELDS: &'static [&'static str] = &[
        "id",
        "seq",
        "client_msg_id",
        "customer_id",
        "customer_avatar",
        "user_id",
        "src",
        "name",
        "dateTime",
        "send_type",
        "is_customer_already_read",
        "is_customer_already_read_text",
    ];

    pub fn new(m: &'a ChatMessage, pair: &'a PairInfo, style: DateStyle) -> Self {
        let read = !m.unread_for_customer;
        RadarItem {
            id: m.id,
            seq: m.seq,
            client_msg_id: m.client_msg_id.as_deref(),
            customer_id: m.customer,
            customer_avatar: &pair.headimgurl,
            user_id: m.radar_user,
            src: &pair.headimgurl,
            name: display_name(pair),
            date_time: date(m.create_date, style),
            send_type: m.send_type,
            is_customer_already_read: u8::from(read),
            is_customer_already_read_text: if read { "已读" } else { "未读" },
            content: ContentKeys {
                content: &m.content,
                own: Self::FIELDS,
            },
        }
    }
}

/// A push frame: `{code:200, msg, data:{ret_data:[item], count:1[, unread_msg_num]}}`.
#[derive(Serialize)]
pub struct PushFrame<'a, T: Serialize> {
    code: u16,
    msg: &'a str,
    data: PushData<T>,
}

#[derive(Serialize)]
struct PushData<T: Serialize> {
    ret_data: [T; 1],
    count: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    unread_msg_num: Option<i64>,
}

impl<'a, T: Serialize> PushFrame<'a, T> {
    /// The frame pushing `item`, with the badge when the socket family shows one.
    pub fn new(msg: &'a str, item: T, unread_msg_num: Option<i64>) -> Self {
        PushFrame {
            code: 200,
            msg,
            data: PushData {
                ret_data: [item],
                count: 1,
                unread_msg_num,
            },
        }
    }

    /// The frame's JSON text.
    pub fn to_text(&self) -> String {
        // Serializing plain structs, strings and JSON values into a String cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

fn to_value(item: impl Serialize) -> Value {
    serde_json::to_value(item).unwrap_or(Value::Null)
}

/// An item as the customer sees it (M5, M8, WS-M pushes), as JSON.
pub fn customer_item(m: &ChatMessage, pair: &PairInfo, is_first: bool, style: DateStyle) -> Value {
    to_value(CustomerItem::new(m, pair, is_first, style))
}

/// The M5 page item: the customer item plus the names the page shows.
pub fn customer_page_item(m: &ChatMessage, pair: &PairInfo, is_first: bool) -> Value {
    let mut item = customer_item(m, pair, is_first, DateStyle::Iso);
    item["from_user_name"] = json!(pair.customer_name());
    item["position"] = json!(pair.position);
    item["user_name"] = json!(pair.username);
    item
}

/// An item as the radar user sees it (R3, R4, WS-R1 pushes), as JSON.
pub fn radar_item(m: &ChatMessage, pair: &PairInfo, style: DateStyle) -> Value {
    to_value(RadarItem::new(m, pair, style))
}

/// Labels of `customers.user_type`.
pub fn customer_source_text(user_type: i16) -> &'static str {
    match user_type {
        1 => "微信公众号",
        2 => "微信小程序",
        3 => "雷达管家-消息推送",
        _ => "",
    }
}

/// The contact-list preview of a message (spec WS-R3).
pub fn preview(content: &Value) -> String {
    let text = |k: &str| {
        content
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    match content.get("info_type").and_then(Value::as_i64) {
        Some(1) | Some(3) => text("msg"),
        Some(2) => format!("向您咨询:{}", text("product_name")),
        _ => String::new(),
    }
}

/// One contact (WS-R3 and R1; R1 adds `tags_list` and `crea_date`).
pub fn contact_item(c: &Contact, now: DateTime<Utc>) -> Value {
    let subscribed = c.is_subscribe == Some(1);
    json!({
        "customer_id": c.customer_id,
        "customer_source": c.user_type,
        "customer_source_text": customer_source_text(c.user_type),
        "is_subscribe": c.is_subscribe.unwrap_or(0),
        "is_subscribe_text": if subscribed { "已关注" } else { "未关注" },
        "src": c.headimgurl,
        "name": c.name.clone().unwrap_or_else(|| format!("客户ID{}", c.customer_id)),
        "dateTime": time::relative(c.last_at, now),
        "msg": preview(&c.last_content),
        "count": c.unread,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_follow_the_info_type() {
        assert_eq!(preview(&json!({"info_type": 1, "msg": "你好"})), "你好");
        assert_eq!(
            preview(&json!({"info_type": 2, "product_name": "A"})),
            "向您咨询:A"
        );
        assert_eq!(preview(&json!({"info_type": 3, "msg": "电话?"})), "电话?");
        assert_eq!(preview(&json!({"info_type": 4, "url": "x"})), "");
    }

    #[test]
    fn content_keys_are_merged_without_overwriting_item_fields() {
        let pair = PairInfo {
            radar_user: RadarUserId(1),
            customer: CustomerId(2),
            username: "u".into(),
            position: String::new(),
            avatar: String::new(),
            card_avatar: "a".into(),
            mingpian_phone: String::new(),
            wechat: String::new(),
            company_id: 1,
            customer_name: None,
            headimgurl: "h".into(),
            user_type: 2,
            is_subscribe: None,
            shopping_type: 1,
        };
        let m = ChatMessage {
            id: 7,
            seq: 3,
            radar_user: RadarUserId(1),
            customer: CustomerId(2),
            send_type: 1,
            content: json!({"id": 99, "info_type": 1, "msg": "hi", "extra": true}),
            create_date: Utc::now(),
            client_msg_id: None,
            unread_for_customer: true,
            unread_for_radar: false,
            customer_view: None,
        };
        let item = customer_item(&m, &pair, false, DateStyle::Plain);
        assert_eq!(
            (item["id"].clone(), item["seq"].clone()),
            (json!(7), json!(3))
        );
        assert_eq!(
            (item["msg"].clone(), item["extra"].clone()),
            (json!("hi"), json!(true))
        );
        assert_eq!(item["customer"], "客户ID2");
        let text = PushFrame::new("m", RadarItem::new(&m, &pair, DateStyle::Plain), None).to_text();
        let frame: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(frame["data"]["ret_data"][0]["id"], 7, "{text}");
        assert_eq!(
            frame["data"]["ret_data"][0]["is_customer_already_read_text"],
            "未读"
        );
        assert_eq!(
            text.matches("\"id\"").count(),
            1,
            "no duplicate key: {text}"
        );
        assert!(frame["data"].get("unread_msg_num").is_none());
    }
}
