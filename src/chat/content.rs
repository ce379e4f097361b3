//! Validation of a message's `content` (spec §6.1): the `info_type` catalog and its server rules.

use serde_json::{json, Value};

/// Who is sending: the rules differ per side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    Customer,
    Radar,
}

/// Largest accepted `content` (serialized).
pub const MAX_CONTENT_BYTES: usize = 16 * 1024;
/// Longest accepted text message, in characters.
pub const MAX_TEXT_CHARS: usize = 5000;

/// `info_type 3`: the radar user asks for the phone number.
pub const ASK_PHONE: &str = "您好,请问能否告诉我您的手机号?";
/// `info_type 6`: a link to the mall.
pub const MALL_LINK: &str = "官方商城，可点击进入购买";

/// Checks `content` for `sender` and applies the server rules (3 and 6 overwrite `msg`).
/// Unknown extra keys are kept. The error is a short reason for a 301 answer.
pub fn validate(content: Value, sender: Sender) -> Result<Value, String> {
    let Value::Object(mut map) = content else {
        return Err("content 必须是JSON对象".into());
    };
    if serde_json::to_vec(&map)
        .map(|v| v.len())
        .unwrap_or(usize::MAX)
        > MAX_CONTENT_BYTES
    {
        return Err("content 过大".into());
    }
    let info_type = match map.get("info_type") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let allowed: &[i64] = match sender {
        Sender::Customer => &[1, 2, 4, 5],
        Sender::Radar => &[1, 2, 3, 4, 5, 6],
    };
    let Some(info_type) = info_type.filter(|t| allowed.contains(t)) else {
        return Err("info_type 不正确".into());
    };
    map.insert("info_type".into(), json!(info_type));
    let text = |k: &str| {
        map.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or_default()
            .to_owned()
    };
    match info_type {
        1 => {
            let msg = text("msg");
            if msg.is_empty() {
                return Err("msg 不能为空".into());
            }
            if msg.chars().count() > MAX_TEXT_CHARS {
                return Err("msg 过长".into());
            }
        }
        3 => {
            map.insert("msg".into(), json!(ASK_PHONE));
        }
        6 => {
            map.insert("msg".into(), json!(MALL_LINK));
        }
        4 | 5 if text("url").is_empty() => return Err("url 不能为空".into()),
        2 if text("product_name").is_empty() => return Err("product_name 不能为空".into()),
        _ => {}
    }
    Ok(Value::Object(map))
}

/// Parses `content` given as JSON text (the legacy form) or as an object.
pub fn parse(raw: &Value) -> Result<Value, String> {
    match raw {
        Value::String(s) => {
            serde_json::from_str(s).map_err(|_| "content 不是有效的JSON".to_owned())
        }
        Value::Object(_) => Ok(raw.clone()),
        _ => Err("content 必须是JSON".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_messages_need_a_message() {
        assert!(validate(json!({"info_type": 1, "msg": "你好😀"}), Sender::Customer).is_ok());
        assert!(validate(json!({"info_type": 1, "msg": "  "}), Sender::Customer).is_err());
        assert!(validate(json!({"info_type": 1}), Sender::Radar).is_err());
        assert!(validate(
            json!({"info_type": 1, "msg": "x".repeat(5001)}),
            Sender::Radar
        )
        .is_err());
    }

    #[test]
    fn phone_requests_and_mall_links_are_overwritten_for_the_radar_side_only() {
        let v = validate(json!({"info_type": 3, "msg": "whatever"}), Sender::Radar).unwrap();
        assert_eq!(v["msg"], ASK_PHONE);
        let v = validate(json!({"info_type": "6"}), Sender::Radar).unwrap();
        assert_eq!(
            (v["msg"].as_str(), v["info_type"].as_i64()),
            (Some(MALL_LINK), Some(6))
        );
        assert!(validate(json!({"info_type": 3}), Sender::Customer).is_err());
    }

    #[test]
    fn unknown_types_non_objects_and_huge_content_are_refused() {
        assert!(validate(json!({"info_type": 9, "msg": "x"}), Sender::Radar).is_err());
        assert!(validate(json!("text"), Sender::Radar).is_err());
        assert!(validate(
            json!({"info_type": 4, "url": "x".repeat(20_000)}),
            Sender::Radar
        )
        .is_err());
        assert!(validate(json!({"info_type": 4}), Sender::Radar).is_err());
    }

    #[test]
    fn extra_keys_are_kept() {
        let v = validate(
            json!({"info_type": 1, "msg": "a", "color": "red"}),
            Sender::Customer,
        )
        .unwrap();
        assert_eq!(v["color"], "red");
    }

    #[test]
    fn content_parses_from_text_or_object() {
        assert_eq!(
            parse(&json!("{\"info_type\":1}")).unwrap(),
            json!({"info_type": 1})
        );
        assert!(parse(&json!("{bad")).is_err());
        assert!(parse(&json!(5)).is_err());
    }
}
