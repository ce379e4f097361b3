//! How a chat message looks on the wire, for each side and time format (spec §5.2, §6.6, §7).
//! Shared by the HTTP endpoints and the socket pushes so both always agree.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::chat::event::ChatMessage;
use crate::store::chat::{Contact, PairInfo};
use crate::time;

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

/// Merges the content keys (`info_type`, `msg`, …) into `item`; content keys never overwrite the
/// item's own fields.
fn merge_content(item: &mut Map<String, Value>, content: &Value) {
    if let Value::Object(c) = content {
        for (k, v) in c {
            item.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
}

/// An item as the customer sees it (M5, M8, WS-M pushes).
pub fn customer_item(m: &ChatMessage, pair: &PairInfo, is_first: bool, style: DateStyle) -> Value {
    let name = pair.customer_name();
    let mut item = Map::new();
    item.insert("id".into(), json!(m.id));
    item.insert("seq".into(), json!(m.seq));
    item.insert("client_msg_id".into(), json!(m.client_msg_id));
    item.insert("customer_id".into(), json!(m.customer));
    item.insert("user_id".into(), json!(m.radar_user));
    item.insert("user_avatar".into(), json!(pair.card_avatar));
    item.insert("customer_headimgurl".into(), json!(pair.headimgurl));
    item.insert("customer".into(), json!(name));
    item.insert("dateTime".into(), json!(date(m.create_date, style)));
    item.insert("send_type".into(), json!(m.send_type));
    item.insert("is_first_info".into(), json!(is_first));
    merge_content(&mut item, &m.content);
    Value::Object(item)
}

/// The M5 page item: the customer item plus the names the page shows.
pub fn customer_page_item(m: &ChatMessage, pair: &PairInfo, is_first: bool) -> Value {
    let mut item = customer_item(m, pair, is_first, DateStyle::Iso);
    item["from_user_name"] = json!(pair.customer_name());
    item["position"] = json!(pair.position);
    item["user_name"] = json!(pair.username);
    item
}

/// An item as the radar user sees it (R3, R4, WS-R1 pushes). `src`/`name` are the customer's.
pub fn radar_item(m: &ChatMessage, pair: &PairInfo, style: DateStyle) -> Value {
    let read = !m.unread_for_customer;
    let mut item = Map::new();
    item.insert("id".into(), json!(m.id));
    item.insert("seq".into(), json!(m.seq));
    item.insert("client_msg_id".into(), json!(m.client_msg_id));
    item.insert("customer_id".into(), json!(m.customer));
    item.insert("customer_avatar".into(), json!(pair.headimgurl));
    item.insert("user_id".into(), json!(m.radar_user));
    item.insert("src".into(), json!(pair.headimgurl));
    item.insert("name".into(), json!(pair.customer_name()));
    item.insert("dateTime".into(), json!(date(m.create_date, style)));
    item.insert("send_type".into(), json!(m.send_type));
    item.insert("is_customer_already_read".into(), json!(u8::from(read)));
    item.insert(
        "is_customer_already_read_text".into(),
        json!(if read { "已读" } else { "未读" }),
    );
    merge_content(&mut item, &m.content);
    Value::Object(item)
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
        let mut item = Map::new();
        item.insert("id".into(), json!(1));
        merge_content(
            &mut item,
            &json!({"id": 99, "info_type": 1, "msg": "hi", "extra": true}),
        );
        assert_eq!(
            Value::Object(item),
            json!({"id": 1, "info_type": 1, "msg": "hi", "extra": true})
        );
    }
}
