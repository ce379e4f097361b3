//! The `data` of a subscribe message (`cgi-bin/message/subscribe/send`) from a company's field
//! mapping. A pure function: the notifier (`chat::notify`) supplies the values.
//!
//! A subscribe template's keys (`thing1`, `time2`, …) are chosen by the company when it picks a
//! template in the mini-program's admin console, so Radar cannot know them: each company stores a
//! mapping `{"<key>": "<source>"}` beside its template id (`mini_program_apps.subscribe_fields`,
//! back office `update_xcx_app`). A source is `sender` (the radar user's name), `time` (now),
//! `notice` (the legacy text `您有未读消息,点击小程序查看哦`); any other string is sent as it is.
//! WeChat refuses (47003) values longer than a key type allows, so `thing`, `name` and `phrase`
//! values are cut to their limits here.

use serde_json::{json, Map, Value};

/// The mapping used when a company stores none; it fits a template whose keys are 发送人
/// (`thing1`), 时间 (`time2`) and 内容 (`thing3`) — README "WeChat setup".
pub fn default_fields() -> Value {
    json!({"thing1": "sender", "time2": "time", "thing3": "notice"})
}

/// The legacy notice text (spec §6.5 keyword3).
pub const NOTICE: &str = "您有未读消息,点击小程序查看哦";

/// What the sources stand for in one message.
pub struct Values<'a> {
    /// The radar user's name.
    pub sender: &'a str,
    /// Now, as `YYYY-MM-DD HH:MM` (WeChat's `time` type).
    pub time: &'a str,
}

/// Whether `fields` is a usable mapping: a non-empty object of at most 10 string values with
/// keys of letters, digits and underscores.
pub fn valid_fields(fields: &Value) -> bool {
    let Some(map) = fields.as_object() else {
        return false;
    };
    !map.is_empty()
        && map.len() <= 10
        && map.iter().all(|(k, v)| {
            !k.is_empty()
                && k.len() <= 32
                && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && v.as_str().is_some_and(|s| s.chars().count() <= 64)
        })
}

/// `{"<key>": {"value": …}}` for `fields` (falls back to [`default_fields`] when unusable).
pub fn data(fields: Option<&Value>, values: &Values) -> Value {
    let default = default_fields();
    let fields = fields.filter(|f| valid_fields(f)).unwrap_or(&default);
    let mut data = Map::new();
    for (key, source) in fields.as_object().into_iter().flatten() {
        let source = source.as_str().unwrap_or_default();
        let value = match source {
            "sender" => values.sender,
            "time" => values.time,
            "notice" => NOTICE,
            literal => literal,
        };
        data.insert(key.clone(), json!({"value": cut(key, value)}));
    }
    Value::Object(data)
}

/// WeChat's length limit of a key's type (by its prefix), in characters.
fn limit(key: &str) -> Option<usize> {
    let kind = key.trim_end_matches(|c: char| c.is_ascii_digit());
    match kind {
        "thing" => Some(20),
        "name" => Some(10),
        "phrase" => Some(5),
        "character_string" | "letter" | "number" => Some(32),
        _ => None,
    }
}

fn cut(key: &str, value: &str) -> String {
    match limit(key) {
        Some(max) if value.chars().count() > max => {
            let mut s: String = value.chars().take(max - 1).collect();
            s.push('…');
            s
        }
        _ => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: Values = Values {
        sender: "张三",
        time: "2026-12-02 13:05",
    };

    #[test]
    fn the_default_mapping_fills_sender_time_and_notice() {
        assert_eq!(
            data(None, &V),
            json!({
                "thing1": {"value": "张三"},
                "time2": {"value": "2026-12-02 13:05"},
                "thing3": {"value": "您有未读消息,点击小程序查看哦"},
            })
        );
    }

    #[test]
    fn a_company_mapping_may_send_literals_and_values_are_cut_to_the_key_type() {
        let fields = json!({"name5": "sender", "phrase2": "待回复的消息", "thing9": "notice"});
        let long = Values {
            sender: "一二三四五六七八九十十一",
            time: "t",
        };
        let d = data(Some(&fields), &long);
        assert_eq!(d["name5"]["value"], "一二三四五六七八九…");
        assert_eq!(d["phrase2"]["value"], "待回复的…");
        assert_eq!(d["thing9"]["value"], NOTICE); // 15 characters: fits
    }

    #[test]
    fn an_unusable_mapping_falls_back_to_the_default() {
        for bad in [
            json!([]),
            json!({}),
            json!({"thing1": 3}),
            json!({"bad key": "sender"}),
            json!("thing1"),
        ] {
            assert!(!valid_fields(&bad), "{bad}");
            assert_eq!(data(Some(&bad), &V), data(None, &V));
        }
    }
}
