//! NUL characters in untrusted text: PostgreSQL refuses NUL in `text` and `\u0000` in `jsonb`, so
//! both edges (HTTP parameters in `http::params`, socket frames in `chat::protocol`) refuse them
//! before anything is stored.

use serde_json::Value;

/// Whether `text` holds a NUL character, directly or — when it is JSON text, as `content`,
/// `cover_picture` and the like are — once decoded (the escape `\u0000`), at any depth of JSON
/// text inside JSON strings. PostgreSQL refuses NUL in text and `\u0000` in jsonb.
pub fn holds_nul(text: &str) -> bool {
    if text.contains('\0') {
        return true;
    }
    if !text.to_ascii_lowercase().contains("\\u0000") {
        return false;
    }
    serde_json::from_str::<Value>(text).is_ok_and(|v| json_holds_nul(&v))
}

/// Whether a decoded JSON document holds NUL in a string or key (see `holds_nul`).
pub fn json_holds_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => holds_nul(s),
        Value::Array(list) => list.iter().any(json_holds_nul),
        Value::Object(map) => map.iter().any(|(k, v)| holds_nul(k) || json_holds_nul(v)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_raw_escaped_and_in_json_nested_in_json() {
        assert!(holds_nul("a\0b"));
        assert!(holds_nul(r#"{"msg": "a\u0000b"}"#));
        assert!(holds_nul(r#"{"content": "{\"msg\": \"\\u0000\"}"}"#));
        assert!(
            !holds_nul(r#"{"msg": "a\\u0000b"}"#),
            "an escaped backslash is text"
        );
        assert!(!holds_nul("plain \\u0000 text that is not JSON"));
        assert!(json_holds_nul(&serde_json::json!({"k\u{0}": 1})));
        assert!(!json_holds_nul(&serde_json::json!({"k": [1, "x"]})));
    }
}
