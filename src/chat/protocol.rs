//! The legacy socket frames (spec §6.6): parsing inbound JSON frames and building outbound ones.
//! Pure functions; the session actor decides what to do with them.

use serde_json::{json, Value};

use crate::auth::SignedIds;
use crate::nul::json_holds_nul;

/// The four socket families, each checked against its own principal table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocketFamily {
    /// WS-M: mini-program chat (`user_id` = customer, `u_id` = radar user).
    MiniProgram,
    /// WS-R1: radar chat (`user_id` = radar user, `customer_id`).
    RadarChat,
    /// WS-R2: radar unread count.
    RadarBadge,
    /// WS-R3: radar contact list.
    RadarContacts,
}

impl SocketFamily {
    /// Whether frames name a partner (`u_id` or `customer_id`).
    pub fn needs_partner(self) -> bool {
        matches!(self, SocketFamily::MiniProgram | SocketFamily::RadarChat)
    }

    fn partner_key(self) -> &'static str {
        match self {
            SocketFamily::MiniProgram => "u_id",
            _ => "customer_id",
        }
    }

    /// The `kind` label of socket metrics.
    pub fn label(self) -> &'static str {
        match self {
            SocketFamily::MiniProgram => "mini_program",
            SocketFamily::RadarChat => "radar_chat",
            SocketFamily::RadarBadge => "radar_badge",
            SocketFamily::RadarContacts => "radar_contacts",
        }
    }

    /// The answer to a failed signature.
    pub fn token_error(self) -> Value {
        match self {
            SocketFamily::MiniProgram => frame(400, "小程序token验证未通过"),
            _ => frame(400, "雷达token验证未通过"),
        }
    }
}

/// What an inbound frame asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Register,
    QueryNum,
    Lived,
    Closed,
    /// No `type` (or an empty one) and a `content`: a message to send.
    Send,
    /// Any other `type`.
    Other(String),
}

/// A parsed inbound frame.
#[derive(Debug, Clone)]
pub struct Inbound {
    pub kind: Kind,
    pub ids: SignedIds,
    /// `u_id` (WS-M) or `customer_id` (WS-R1); `None` on the badge and contact sockets.
    pub partner: Option<i64>,
    /// The raw `content` (JSON text or object) of a send.
    pub content: Option<Value>,
    pub client_msg_id: Option<String>,
    /// Why the given `client_msg_id` cannot be used (too long, not text): the send is refused
    /// like HTTP refuses it, as a form error.
    pub client_msg_id_error: Option<(String, &'static str)>,
    pub current_page: Option<i64>,
    pub length: Option<i64>,
    /// New: `register` may name the client's resume point: everything after it is sent first.
    pub since_id: Option<i64>,
    pub since_seq: Option<i64>,
}

/// Why a frame could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// Not a JSON object: `{code:400, msg:'报错:… 终止连接'}` and close.
    NotJson,
    /// Missing or invalid ids: `{code:401, msg:'user_id和uid不能为空,终止连接'}` and close.
    BadIds,
    /// A NUL character in a value, once decoded (`\u0000`, also inside JSON-text `content`):
    /// `nul()` (301) and the socket stays open, as for other content errors.
    Nul,
}

/// Accepts JSON numbers and numeric strings (spec §6.6 "Ids").
fn id(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Parses one text frame of `family`.
pub fn parse(raw: &str, family: SocketFamily) -> Result<Inbound, FrameError> {
    let Ok(Value::Object(f)) = serde_json::from_str::<Value>(raw) else {
        return Err(FrameError::NotJson);
    };
    if f.iter().any(|(k, v)| k.contains('\0') || json_holds_nul(v)) {
        return Err(FrameError::Nul);
    }
    let kind = match f.get("type").and_then(Value::as_str).map(str::trim) {
        Some("register") => Kind::Register,
        Some("query_num") => Kind::QueryNum,
        Some("lived") => Kind::Lived,
        Some("closed") => Kind::Closed,
        None | Some("") if f.contains_key("content") => Kind::Send,
        Some(other) => Kind::Other(other.to_owned()),
        None => Kind::Other(String::new()),
    };
    let user_id = id(f.get("user_id")).ok_or(FrameError::BadIds)?;
    let partner = id(f.get(family.partner_key()));
    if family.needs_partner() && partner.is_none() {
        return Err(FrameError::BadIds);
    }
    let ids = SignedIds {
        user_id,
        timestamp: text(f.get("timestamp")).unwrap_or_default(),
        rand_str: text(f.get("rand_str")).unwrap_or_default(),
    };
    Ok(Inbound {
        kind,
        ids,
        partner,
        content: f.get("content").cloned(),
        client_msg_id: text(f.get("client_msg_id"))
            .filter(|s| !s.is_empty() && s.chars().count() <= 64),
        client_msg_id_error: client_msg_id_error(f.get("client_msg_id")),
        current_page: id(f.get("current_page")),
        length: id(f.get("length")),
        since_id: id(f.get("since_id")),
        since_seq: id(f.get("since_seq")),
    })
}

/// What HTTP would say of this `client_msg_id` (at most 64 characters of text), if anything.
fn client_msg_id_error(v: Option<&Value>) -> Option<(String, &'static str)> {
    match v {
        None | Some(Value::Null) | Some(Value::Number(_)) => None,
        Some(Value::String(s)) if s.chars().count() <= 64 => None,
        Some(Value::String(_)) => Some((
            "Ensure this value has at most 64 characters.".to_owned(),
            "max_length",
        )),
        Some(_) => Some(("Enter a valid value.".to_owned(), "invalid")),
    }
}

/// `{code, msg}`.
pub fn frame(code: u16, msg: &str) -> Value {
    json!({"code": code, "msg": msg})
}

/// `{code, msg, data}`.
pub fn frame_data(code: u16, msg: &str, data: Value) -> Value {
    json!({"code": code, "msg": msg, "data": data})
}

/// The 301 answer to a frame holding NUL (PostgreSQL stores no NUL); the socket stays open.
pub fn nul() -> Value {
    frame(301, "不能包含空字符")
}

/// The 401 answer to missing ids.
pub fn bad_ids() -> Value {
    frame(401, "user_id和uid不能为空,终止连接")
}

/// The closing answer to an unusable frame; the detail is generic, never internal text.
pub fn broken(detail: &str) -> Value {
    frame(400, &format!("报错:{detail} 终止连接"))
}

/// `lived` keep-alive ack.
pub fn lived() -> Value {
    frame(270, "为了新中国的胜利向我开炮")
}

/// The read receipt pushed to radar chat sockets (§6.4).
pub fn read_receipt() -> Value {
    frame_data(
        202,
        "实时通知小程序新消息-已读通知",
        json!({"is_customer_already_read": 1}),
    )
}

/// A rate-limited frame.
pub fn too_fast() -> Value {
    frame(429, "发送太频繁")
}

/// A socket refused because its principal already holds `chat.max_listeners_per_principal`
/// sockets and long-polls on this node (sent before close 1008).
pub fn too_many_sockets() -> Value {
    frame(429, "连接数过多,请关闭其他页面后重试")
}

/// The close reason after `too_many_sockets`.
pub const TOO_MANY_SOCKETS: &str = "连接过多";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_parse_with_numeric_or_string_ids() {
        let f = parse(
            r#"{"type":"register","user_id":"5","u_id":7,"timestamp":"1","rand_str":"x"}"#,
            SocketFamily::MiniProgram,
        )
        .unwrap();
        assert_eq!(
            (f.kind, f.ids.user_id, f.partner),
            (Kind::Register, 5, Some(7))
        );
        let f = parse(
            r#"{"type":"query_num","user_id":3,"timestamp":17,"rand_str":"y"}"#,
            SocketFamily::RadarBadge,
        )
        .unwrap();
        assert_eq!((f.ids.timestamp.as_str(), f.partner), ("17", None));
    }

    #[test]
    fn a_frame_with_content_and_no_type_is_a_send() {
        let raw = r#"{"user_id":1,"u_id":2,"timestamp":"1","rand_str":"x","content":"{\"info_type\":1,\"msg\":\"hi\"}","client_msg_id":"c-1"}"#;
        let f = parse(raw, SocketFamily::MiniProgram).unwrap();
        assert_eq!(f.kind, Kind::Send);
        assert_eq!(f.client_msg_id.as_deref(), Some("c-1"));
    }

    #[test]
    fn broken_frames_are_classified() {
        assert_eq!(
            parse("not json", SocketFamily::MiniProgram).unwrap_err(),
            FrameError::NotJson
        );
        assert_eq!(
            parse("[1,2]", SocketFamily::MiniProgram).unwrap_err(),
            FrameError::NotJson
        );
        let missing_partner = r#"{"type":"register","user_id":1,"timestamp":"1","rand_str":"x"}"#;
        assert_eq!(
            parse(missing_partner, SocketFamily::MiniProgram).unwrap_err(),
            FrameError::BadIds
        );
        assert_eq!(
            parse(missing_partner, SocketFamily::RadarChat).unwrap_err(),
            FrameError::BadIds
        );
        assert!(parse(missing_partner, SocketFamily::RadarBadge).is_ok());
        let bad_type = r#"{"type":"register","user_id":[1],"u_id":2}"#;
        assert_eq!(
            parse(bad_type, SocketFamily::MiniProgram).unwrap_err(),
            FrameError::BadIds
        );
        let float = r#"{"type":"register","user_id":1.5,"u_id":2}"#;
        assert_eq!(
            parse(float, SocketFamily::MiniProgram).unwrap_err(),
            FrameError::BadIds
        );
    }

    #[test]
    fn nul_anywhere_in_a_frame_is_refused() {
        let frames = [
            r#"{"user_id":1,"u_id":2,"content":"{\"info_type\":1,\"msg\":\"a\\u0000b\"}"}"#,
            r#"{"user_id":1,"u_id":2,"content":{"info_type":1,"msg":"a\u0000b"}}"#,
            r#"{"user_id":1,"u_id":2,"content":"x","client_msg_id":"\u0000"}"#,
            r#"{"user_id":1,"u_id":2,"\u0000":1}"#,
        ];
        for raw in frames {
            assert_eq!(
                parse(raw, SocketFamily::MiniProgram).unwrap_err(),
                FrameError::Nul,
                "{raw}"
            );
        }
        // A lone surrogate is not JSON.
        let lone = r#"{"user_id":1,"u_id":2,"content":{"info_type":1,"msg":"\ud800"}}"#;
        assert_eq!(
            parse(lone, SocketFamily::MiniProgram).unwrap_err(),
            FrameError::NotJson
        );
    }

    #[test]
    fn fixed_frames_have_the_exact_texts() {
        assert_eq!(
            lived(),
            json!({"code": 270, "msg": "为了新中国的胜利向我开炮"})
        );
        assert_eq!(
            bad_ids(),
            json!({"code": 401, "msg": "user_id和uid不能为空,终止连接"})
        );
        assert_eq!(
            SocketFamily::RadarBadge.token_error(),
            json!({"code": 400, "msg": "雷达token验证未通过"})
        );
        assert_eq!(
            broken("格式错误"),
            json!({"code": 400, "msg": "报错:格式错误 终止连接"})
        );
    }
}
