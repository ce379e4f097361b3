//! `Params`: the query string and the form (or JSON) body of one request, strictly decoded.
//!
//! Legacy clients send GET query strings and form-urlencoded POST bodies (spec §0.2); a JSON object
//! body with the same keys is accepted too. Input that is not valid UTF-8 after percent-decoding is
//! a validation error (301); a body over `server.max_body_bytes` is refused with 413. A body with
//! a `Content-Encoding` other than `identity` is a validation error (301) and is never inflated.
//! `Validator` turns fields into typed values and collects Django-style errors.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, error::PayloadError, web, FromRequest, HttpRequest};
use percent_encoding::percent_decode;
use serde_json::Value;

use crate::error::{ApiError, FormErrors};
use crate::nul::{holds_nul, json_holds_nul};

/// The form error of a value holding NUL.
const NUL: &str = "Null characters are not allowed.";

/// How long a request body may take to arrive (app data; `server.body_timeout_secs`). actix-web's
/// own `client_request_timeout` covers the head only: without this a client sending one byte a
/// second would hold a connection and a worker's buffer for as long as it likes.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub std::time::Duration);

impl Default for BodyTimeout {
    fn default() -> BodyTimeout {
        BodyTimeout(std::time::Duration::from_secs(20))
    }
}

/// Decoded request inputs: query string and body fields, kept apart.
#[derive(Debug, Default, Clone)]
pub struct Params {
    query: HashMap<String, String>,
    form: HashMap<String, String>,
}

impl Params {
    /// A query-string value.
    pub fn query(&self, key: &str) -> Option<&str> {
        self.query.get(key).map(String::as_str)
    }

    /// A body value.
    pub fn form(&self, key: &str) -> Option<&str> {
        self.form.get(key).map(String::as_str)
    }

    /// A body value, else the same key in the query string (clients mix both, spec §0.2).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.form(key).or_else(|| self.query(key))
    }

    /// Starts validating fields of this request.
    pub fn validate(&self) -> Validator<'_> {
        Validator {
            params: self,
            errors: FormErrors::default(),
        }
    }

    /// Builds params from raw parts (used by the extractor and by tests).
    pub fn parse(query: &[u8], body: &[u8], json_body: bool) -> Result<Params, ApiError> {
        let mut bad = FormErrors::default();
        let query = parse_urlencoded(query, &mut bad);
        let form = if json_body {
            parse_json_object(body, &mut bad)?
        } else {
            parse_urlencoded(body, &mut bad)
        };
        if !bad.is_empty() {
            return Err(bad.in_msg(301));
        }
        Ok(Params { query, form })
    }
}

/// Decodes `a=1&b=%E4%BD%A0` strictly: `+` is a space; invalid UTF-8 is recorded as an error.
fn parse_urlencoded(raw: &[u8], bad: &mut FormErrors) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for pair in raw.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (k, v) = match pair.iter().position(|b| *b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        let decode = |s: &[u8]| -> Option<String> {
            let plus: Vec<u8> = s
                .iter()
                .map(|b| if *b == b'+' { b' ' } else { *b })
                .collect();
            percent_decode(&plus)
                .decode_utf8()
                .ok()
                .map(|c| c.into_owned())
        };
        match (decode(k), decode(v)) {
            // PostgreSQL text cannot hold NUL, nor jsonb `\u0000`: refuse both here, for every
            // endpoint at once.
            (Some(k), Some(v)) if holds_nul(&k) || holds_nul(&v) => bad.invalid(&k, NUL),
            (Some(k), Some(v)) => {
                // Like Django's QueryDict.get: the last value of a repeated key wins.
                out.insert(k, v);
            }
            (Some(k), None) => bad.invalid(&k, "Invalid UTF-8."),
            (None, _) => bad.invalid("__all__", "Invalid UTF-8."),
        }
    }
    out
}

/// A JSON object body: scalars become their text, nested values their JSON text. A value holding
/// NUL is recorded as an error (see `holds_nul`).
fn parse_json_object(
    body: &[u8],
    bad: &mut FormErrors,
) -> Result<HashMap<String, String>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(HashMap::new());
    }
    let invalid = || FormErrors::single("__all__", "Invalid JSON body.", "invalid").in_msg(301);
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return Err(invalid());
    };
    let mut out = HashMap::new();
    for (k, v) in map.into_iter().filter(|(_, v)| !v.is_null()) {
        if holds_nul(&k) || json_holds_nul(&v) {
            bad.invalid(&k, NUL);
            continue;
        }
        let text = match v {
            Value::String(s) => s,
            other => other.to_string(),
        };
        out.insert(k, text);
    }
    Ok(out)
}

impl FromRequest for Params {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Params, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // actix-http inflates each chunk of a compressed body whole before the size limit sees it
        // (a few KiB of zstd become hundreds of MiB), and no legacy client compresses requests.
        let compressed = req
            .headers()
            .get(actix_web::http::header::CONTENT_ENCODING)
            .is_some_and(|v| !v.as_bytes().eq_ignore_ascii_case(b"identity"));
        if compressed {
            return Box::pin(async { Err(ApiError::code(301, "不支持压缩的请求体")) });
        }
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        let timeout = req.app_data::<BodyTimeout>().copied().unwrap_or_default();
        Box::pin(async move {
            let is_json = req
                .headers()
                .get(actix_web::http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|ct| ct.starts_with("application/json"));
            let body = tokio::time::timeout(timeout.0, body)
                .await
                .map_err(|_| ApiError::SlowBody)?;
            let body = body.map_err(|e| match e.as_error::<PayloadError>() {
                Some(PayloadError::Overflow) => ApiError::TooLarge,
                _ if e.to_string().contains("overflow") => ApiError::TooLarge,
                _ => ApiError::code(301, "请求体无法读取"),
            })?;
            Params::parse(req.query_string().as_bytes(), &body, is_json)
        })
    }
}

/// Reads typed fields and collects Django-style errors; `finish` reports them all at once.
pub struct Validator<'a> {
    params: &'a Params,
    errors: FormErrors,
}

impl<'a> Validator<'a> {
    fn raw(&self, key: &str) -> Option<&'a str> {
        let params: &'a Params = self.params;
        params.get(key).filter(|v| !v.trim().is_empty())
    }

    /// A required integer (Django IntegerField).
    pub fn int(&mut self, key: &str) -> i64 {
        match self.raw(key) {
            None => {
                self.errors.required(key);
                0
            }
            Some(v) => self.parse_int(key, v).unwrap_or(0),
        }
    }

    /// An optional integer; present but not an integer is an error.
    pub fn opt_int(&mut self, key: &str) -> Option<i64> {
        let v = self.raw(key)?;
        self.parse_int(key, v)
    }

    fn parse_int(&mut self, key: &str, v: &str) -> Option<i64> {
        match v.trim().parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                self.errors.invalid(key, FormErrors::NOT_INT);
                None
            }
        }
    }

    /// A required non-empty string, limited to `max_chars` characters.
    pub fn text(&mut self, key: &str, max_chars: usize) -> String {
        match self.raw(key) {
            None => {
                self.errors.required(key);
                String::new()
            }
            Some(v) => self.check_len(key, v, max_chars).unwrap_or_default(),
        }
    }

    /// An optional string (empty = absent), limited to `max_chars` characters.
    pub fn opt_text(&mut self, key: &str, max_chars: usize) -> Option<String> {
        let v = self.raw(key)?;
        self.check_len(key, v, max_chars)
    }

    fn check_len(&mut self, key: &str, v: &str, max_chars: usize) -> Option<String> {
        if v.chars().count() > max_chars {
            let msg = format!("Ensure this value has at most {max_chars} characters.");
            self.errors.add(key, &msg, "max_length");
            return None;
        }
        Some(v.to_owned())
    }

    /// A required field holding JSON text (e.g. `content`); unparsable JSON is an error.
    pub fn json(&mut self, key: &str) -> Value {
        match self.raw(key) {
            None => {
                self.errors.required(key);
                Value::Null
            }
            Some(v) => self.parse_json(key, v).unwrap_or(Value::Null),
        }
    }

    /// An optional JSON-text field.
    pub fn opt_json(&mut self, key: &str) -> Option<Value> {
        let v = self.raw(key)?;
        self.parse_json(key, v)
    }

    fn parse_json(&mut self, key: &str, v: &str) -> Option<Value> {
        match serde_json::from_str(v) {
            Ok(j) => Some(j),
            Err(_) => {
                self.errors.invalid(key, "Enter a valid JSON.");
                None
            }
        }
    }

    /// Records a custom error (business validation inside a form).
    pub fn error(&mut self, key: &str, message: &str) {
        self.errors.invalid(key, message);
    }

    /// The collected errors, if any.
    pub fn finish(self) -> Result<(), FormErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_and_query_decode_percent_and_plus() {
        let p = Params::parse(b"user_id=3&x=%E4%BD%A0", b"content=a+b%2Bc", false).unwrap();
        assert_eq!(p.query("x"), Some("你"));
        assert_eq!(p.form("content"), Some("a b+c"));
        assert_eq!(p.get("user_id"), Some("3"));
    }

    #[test]
    fn invalid_utf8_is_a_301_validation_error() {
        let err = Params::parse(b"name=%FF%FE", b"", false).unwrap_err();
        assert_eq!(err.envelope().code, 301);
        assert_eq!(err.envelope().msg["name"][0]["code"], "invalid");
    }

    #[test]
    fn nul_characters_are_refused() {
        let err = Params::parse(b"login_user=%00", b"", false).unwrap_err();
        assert_eq!(err.envelope().code, 301);
        let err = Params::parse(b"", b"nickName=a%00b", false).unwrap_err();
        assert_eq!(err.envelope().msg["nickName"][0]["code"], "invalid");
    }

    #[test]
    fn nul_escapes_in_json_text_are_refused_in_forms_and_json_bodies() {
        // A chat `content` whose JSON escape decodes to NUL (issue 8).
        let content = "content=%7B%22info_type%22%3A1%2C%22msg%22%3A%22a%5Cu0000b%22%7D";
        let err = Params::parse(b"", content.as_bytes(), false).unwrap_err();
        assert_eq!(err.envelope().code, 301);
        assert_eq!(err.envelope().msg["content"][0]["message"], NUL);
        // Upper-case hex, and JSON text inside a JSON string.
        assert!(
            Params::parse(b"x=%22%5CU0000%22", b"", false).is_ok(),
            "not an escape JSON knows"
        );
        assert!(Params::parse(b"x=%22%5Cu0000%22", b"", false).is_err());
        let nested = r#"{"content": "{\"msg\":\"a\\u0000\"}"}"#;
        assert!(Params::parse(b"", nested.as_bytes(), true).is_err());
        let body = br#"{"u_id": 5, "content": {"info_type": 1, "msg": "a\u0000b"}}"#;
        let err = Params::parse(b"", body, true).unwrap_err();
        assert_eq!(err.envelope().msg["content"][0]["message"], NUL);
        // Text that merely shows the escape (not JSON) is kept as it is.
        let p = Params::parse(b"msg=see+%5Cu0000+here", b"", false).unwrap();
        assert_eq!(p.query("msg"), Some("see \\u0000 here"));
        // Keys too.
        assert!(Params::parse(b"a%00=1", b"", false).is_err());
    }

    #[test]
    fn lone_surrogates_are_not_valid_json() {
        assert!(Params::parse(b"", br#"{"a": "\ud800"}"#, true).is_err());
        let p = Params::parse(b"", b"content=%7B%22msg%22%3A%22%5Cud800%22%7D", false).unwrap();
        let mut v = p.validate();
        v.json("content");
        assert!(v.finish().is_err());
    }

    #[test]
    fn json_bodies_turn_values_into_text() {
        let p = Params::parse(b"", br#"{"u_id": 5, "content": {"info_type": 1}}"#, true).unwrap();
        assert_eq!(p.form("u_id"), Some("5"));
        assert_eq!(p.form("content"), Some(r#"{"info_type":1}"#));
        assert!(Params::parse(b"", b"{not json", true).is_err());
    }

    #[test]
    fn the_validator_collects_required_and_invalid_fields() {
        let p = Params::parse(b"uid=abc", b"", false).unwrap();
        let mut v = p.validate();
        v.int("uid");
        v.int("user_id");
        let errors = v.finish().unwrap_err().to_value();
        assert_eq!(errors["uid"][0]["message"], FormErrors::NOT_INT);
        assert_eq!(errors["user_id"][0]["message"], FormErrors::REQUIRED);
    }

    #[test]
    fn malformed_json_text_fields_are_invalid() {
        let p = Params::parse(b"", b"content=%7Bnope", false).unwrap();
        let mut v = p.validate();
        v.json("content");
        assert!(v.finish().is_err());
    }
}
