//! [`JsonText`]: a `json`/`jsonb` column kept as the text PostgreSQL sent, written into an answer
//! byte for byte as if it had been read into a `serde_json::Value` and serialized again.
//!
//! List pages (M27, M36, M37) carry three JSON columns per item. Reading them as `Value` built a
//! tree of owned strings, vectors and maps for every field of every row, only to write it out and
//! drop it (malloc and free were ~18 % of radar's CPU on M27, load-tests/RESULTS.md). A
//! `JsonText` is one string per column; writing it parses that string into a tree that borrows
//! its strings ([`Node`]) and serializes the tree.
//!
//! Why not copy the text through: the wire format is what `Value` wrote. serde_json writes compact
//! (`["a","b"]`, PostgreSQL `["a", "b"]`), keeps object keys sorted bytewise (a `BTreeMap`), while
//! jsonb sorts them by length first, and reformats numbers (`1.50` → `1.5`). [`Node`] receives the
//! same calls from serde_json's parser as `Value` does and makes the same calls to the serializer,
//! with object keys sorted as a `BTreeMap` sorts them (the last of equal keys wins, as in a map).
//! `tests::writes_what_a_value_writes` compares the two on every JSON shape.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use tokio_postgres::types::{FromSql, Type};

/// A JSON column's text (PostgreSQL's own rendering; jsonb without its version byte).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonText(Box<str>);

impl JsonText {
    /// The text as PostgreSQL rendered it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&serde_json::Value> for JsonText {
    /// The text of a value (compact), e.g. for tests and values built in Rust.
    fn from(v: &serde_json::Value) -> JsonText {
        JsonText(v.to_string().into_boxed_str())
    }
}

impl<'a> FromSql<'a> for JsonText {
    fn from_sql(
        ty: &Type,
        raw: &'a [u8],
    ) -> Result<JsonText, Box<dyn std::error::Error + Sync + Send>> {
        // jsonb's binary format is a version byte (1) and the text; json's is the text.
        let text = if *ty == Type::JSONB {
            match raw.split_first() {
                Some((1, text)) => text,
                _ => return Err("unsupported jsonb version".into()),
            }
        } else {
            raw
        };
        // PostgreSQL checked the syntax when the value was stored; what a `Value` cannot hold
        // (`1e400`) fails when written.
        Ok(JsonText(std::str::from_utf8(text)?.into()))
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::JSON | Type::JSONB)
    }
}

impl Serialize for JsonText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // A text that does not parse, or a number a `Value` cannot hold (`1e400`), fails the
        // answer, as reading it into a `Value` failed it before.
        match serde_json::from_str::<Node<'_>>(&self.0) {
            Ok(node) => node.serialize(s),
            Err(e) => Err(serde::ser::Error::custom(e)),
        }
    }
}

/// A parsed JSON value whose strings borrow from the text when they hold no escapes.
#[derive(Debug)]
enum Node<'a> {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    /// Entries in the text's order; sorted when written.
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
}

impl<'de> Deserialize<'de> for Node<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node<'de>, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

/// A string that borrows when serde_json can lend it (no escapes).
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key<'de>, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node<'de>, E> {
        Ok(Node::U64(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node<'de>, E> {
        Ok(Node::I64(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node<'de>, E> {
        Ok(Node::F64(v))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some((Key(k), v)) = map.next_entry::<Key<'de>, Node<'de>>()? {
            entries.push((k, v));
        }
        // As a `BTreeMap` holds them: sorted by key bytes, the last of equal keys kept
        // (a stable sort keeps equal keys in text order; `dedup_by` then keeps the first of a
        // run, so the run is reversed first).
        entries.reverse();
        entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        entries.dedup_by(|later, first| later.0 == first.0);
        Ok(Node::Object(entries))
    }
}

impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The calls `serde_json::Value` makes for the same value.
        match self {
            Node::Null => s.serialize_unit(),
            Node::Bool(b) => s.serialize_bool(*b),
            Node::U64(n) => s.serialize_u64(*n),
            Node::I64(n) => s.serialize_i64(*n),
            Node::F64(n) => s.serialize_f64(*n),
            Node::Str(v) => s.serialize_str(v),
            Node::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Object(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k.as_ref(), v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // unwrap: a failing setup should fail the test loudly
mod tests {
    use super::*;
    use serde_json::Value;

    /// What the page wrote before: the text read into a `Value` and serialized.
    fn via_value(text: &str) -> String {
        serde_json::to_string(&serde_json::from_str::<Value>(text).unwrap()).unwrap()
    }

    fn via_node(text: &str) -> String {
        let raw = [&[1_u8][..], text.as_bytes()].concat();
        let jsonb = JsonText::from_sql(&Type::JSONB, &raw).unwrap();
        let json = JsonText::from_sql(&Type::JSON, text.as_bytes()).unwrap();
        assert_eq!(jsonb, json);
        serde_json::to_string(&jsonb).unwrap()
    }

    #[test]
    fn writes_what_a_value_writes() {
        let texts = [
            // PostgreSQL's jsonb rendering: spaces after separators, keys by length then bytes.
            r#"["statics/imgs/case_1_1.jpg", "statics/imgs/case_1_2.jpg"]"#,
            r#"{"b": 1, "aa": [true, false, null], "ab": {"z": 1, "y": {}}, "ä": "x", "Z": 0}"#,
            r#""Content of diary 1.1 lorem ipsum""#,
            r#""escapes \" \\ \/ \b \f \n \r \t \u0001 \u001f \u00e9 \ud83d\ude00 <&>""#,
            r#"{"k\"ey": "v\\u", "k": "plain", "": ""}"#,
            // Numbers serde_json reformats: floats, exponents, big and negative integers.
            r#"[0, -0, 1.50, -2.5e-3, 1E+2, 1e300, 18446744073709551615, 18446744073709551616, -9223372036854775808, -9223372036854775809, 0.1, 123456789012345678901234567890]"#,
            r#"[[], {}, [[]], [{}], {"a": []}]"#,
            // Duplicate keys (json, not jsonb, may hold them): the last one wins, as in a map.
            r#"{"a": 1, "b": 2, "a": 3, "a": {"x": 1}}"#,
            "null",
            "true",
            r#"  {"spaced" :  [ 1 ,2 ]  }  "#,
            "\"日记 \\\"1\\\" <b>&</b>\\n\\t😀 标签\\u0007\"",
        ];
        for text in texts {
            assert_eq!(via_node(text), via_value(text), "{text}");
        }
    }

    #[test]
    fn bad_texts_fail_the_read_or_the_answer() {
        assert!(JsonText::from_sql(&Type::JSONB, b"\x02[]").is_err());
        assert!(JsonText::from_sql(&Type::JSONB, b"").is_err());
        assert!(JsonText::from_sql(&Type::JSON, b"\xff").is_err());
        let truncated = JsonText::from_sql(&Type::JSON, b"[1,").unwrap();
        assert!(serde_json::to_string(&truncated).is_err());
        assert!(JsonText::accepts(&Type::JSONB) && !JsonText::accepts(&Type::TEXT));
    }

    #[test]
    fn numbers_a_value_cannot_hold_fail_the_answer() {
        let text = JsonText::from_sql(&Type::JSON, b"[1e400]").unwrap();
        assert!(serde_json::from_str::<Value>(text.as_str()).is_err());
        assert!(serde_json::to_string(&text).is_err());
    }

    #[test]
    fn values_built_in_rust_round_trip() {
        let v = serde_json::json!({"b": [1, 2.5, "x"], "a": null});
        assert_eq!(
            serde_json::to_string(&JsonText::from(&v)).unwrap(),
            v.to_string()
        );
    }
}
