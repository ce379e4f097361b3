//! `Form`: the admin handlers' field reader. It wraps `Validator` with what back-office forms need
//! beyond it: choices and bounded small integers (so nothing overflows a `smallint`), mobile
//! numbers, dates, JSON-text fields and id lists. Texts may not hold NUL characters, which
//! PostgreSQL cannot store. Every failure is a Django-style field error; `finish` reports them all.

use chrono::{Datelike, NaiveDate};
use serde_json::Value;

use crate::error::{ApiError, FormErrors};
use crate::http::paging::Page;
use crate::http::params::{Params, Validator};

/// The answer to a non-integer `{id}` path segment: `{code:301, msg:{<field>:[…]}}`.
pub fn path_id(raw: &str, field: &str) -> Result<i64, ApiError> {
    raw.trim()
        .parse()
        .map_err(|_| FormErrors::single(field, FormErrors::NOT_INT, "invalid").in_msg(301))
}

/// Whether a store error is a unique-index violation (a concurrent duplicate).
pub fn unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
}

/// Fields of one request, read with Django-style errors.
pub struct Form<'a> {
    params: &'a Params,
    v: Validator<'a>,
}

impl<'a> Form<'a> {
    /// Starts reading `params`.
    pub fn new(params: &'a Params) -> Form<'a> {
        Form {
            params,
            v: params.validate(),
        }
    }

    fn present(&self, key: &str) -> bool {
        self.params.get(key).is_some_and(|s| !s.trim().is_empty())
    }

    fn no_nul(&mut self, key: &str, s: Option<String>) -> Option<String> {
        match s {
            Some(s) if s.contains('\0') => {
                self.v.error(key, "Null characters are not allowed.");
                None
            }
            other => other,
        }
    }

    /// A required text of at most `max` characters.
    pub fn text(&mut self, key: &str, max: usize) -> String {
        let s = Some(self.v.text(key, max));
        self.no_nul(key, s).unwrap_or_default()
    }

    /// An optional text (empty = absent) of at most `max` characters.
    pub fn opt_text(&mut self, key: &str, max: usize) -> Option<String> {
        let s = self.v.opt_text(key, max);
        self.no_nul(key, s)
    }

    /// A required integer.
    pub fn int(&mut self, key: &str) -> i64 {
        self.v.int(key)
    }

    /// An optional integer.
    pub fn opt_int(&mut self, key: &str) -> Option<i64> {
        self.v.opt_int(key)
    }

    /// An optional integer that must be one of `allowed`.
    pub fn opt_choice(&mut self, key: &str, allowed: &[i16]) -> Option<i16> {
        let n = self.v.opt_int(key)?;
        match i16::try_from(n).ok().filter(|n| allowed.contains(n)) {
            Some(n) => Some(n),
            None => {
                let msg =
                    format!("Select a valid choice. {n} is not one of the available choices.");
                self.v.error(key, &msg);
                None
            }
        }
    }

    /// A required integer that must be one of `allowed` (0 when it is not).
    pub fn choice(&mut self, key: &str, allowed: &[i16]) -> i16 {
        if !self.present(key) {
            self.v.int(key);
            return 0;
        }
        self.opt_choice(key, allowed).unwrap_or(0)
    }

    /// An optional integer within `min..=max`.
    pub fn opt_bounded(&mut self, key: &str, min: i16, max: i16) -> Option<i16> {
        let n = self.v.opt_int(key)?;
        if n < i64::from(min) {
            let msg = format!("Ensure this value is greater than or equal to {min}.");
            self.v.error(key, &msg);
            return None;
        }
        if n > i64::from(max) {
            let msg = format!("Ensure this value is less than or equal to {max}.");
            self.v.error(key, &msg);
            return None;
        }
        i16::try_from(n).ok()
    }

    /// A required integer within `min..=max` (`min` when it is not).
    pub fn bounded(&mut self, key: &str, min: i16, max: i16) -> i16 {
        if !self.present(key) {
            self.v.int(key);
            return min;
        }
        self.opt_bounded(key, min, max).unwrap_or(min)
    }

    /// An optional mainland mobile number: 11 digits starting with 1.
    pub fn mobile(&mut self, key: &str) -> Option<String> {
        let s = self.opt_text(key, 32)?;
        let s = s.trim().to_owned();
        if s.len() == 11 && s.starts_with('1') && s.bytes().all(|b| b.is_ascii_digit()) {
            Some(s)
        } else {
            self.v.error(key, "手机号格式错误");
            None
        }
    }

    /// A required `YYYY-MM-DD` date (a trailing ` HH:MM:SS` is ignored), years 1900–9999.
    pub fn date(&mut self, key: &str) -> Option<NaiveDate> {
        let s = self.opt_text(key, 32);
        if s.is_none() && !self.present(key) {
            self.v.text(key, 32);
            return None;
        }
        let s = s?;
        let day = s.trim().split(' ').next().unwrap_or_default();
        match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
            Ok(d) if (1900..=9999).contains(&d.year()) => Some(d),
            _ => {
                self.v.error(key, "Enter a valid date.");
                None
            }
        }
    }

    /// A required field holding JSON text; returns the text as sent, once it parses and holds no
    /// NUL character.
    pub fn json_text(&mut self, key: &str) -> String {
        if !self.present(key) {
            self.v.text(key, 1);
            return String::new();
        }
        self.opt_json(key).map(|(text, _)| text).unwrap_or_default()
    }

    /// An optional field holding a JSON object.
    pub fn opt_json_object(&mut self, key: &str) -> Option<Value> {
        let (_, value) = self.opt_json(key)?;
        if value.is_object() {
            Some(value)
        } else {
            self.v.error(key, "Enter a JSON object.");
            None
        }
    }

    fn opt_json(&mut self, key: &str) -> Option<(String, Value)> {
        let text = self.opt_text(key, usize::MAX)?;
        match serde_json::from_str::<Value>(&text) {
            Ok(value) if !crate::nul::json_holds_nul(&value) => Some((text, value)),
            _ => {
                self.v.error(key, "Enter a valid JSON.");
                None
            }
        }
    }

    /// A required JSON list of ids (numbers or numeric strings); distinct, in first-seen order.
    pub fn ids(&mut self, key: &str) -> Vec<i64> {
        if !self.present(key) {
            self.v.int(key);
            return vec![];
        }
        self.opt_ids(key).unwrap_or_default()
    }

    /// An optional JSON list of ids.
    pub fn opt_ids(&mut self, key: &str) -> Option<Vec<i64>> {
        let (_, value) = self.opt_json(key)?;
        let ids: Option<Vec<i64>> = value.as_array().and_then(|list| {
            list.iter()
                .map(|v| match v {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s.trim().parse().ok(),
                    _ => None,
                })
                .collect()
        });
        let Some(ids) = ids else {
            self.v.error(key, "Enter a list of whole numbers.");
            return None;
        };
        let mut distinct = Vec::with_capacity(ids.len());
        for id in ids {
            if !distinct.contains(&id) {
                distinct.push(id);
            }
        }
        Some(distinct)
    }

    /// `current_page` / `length` (default `default_len`).
    pub fn page(&mut self, default_len: i64) -> Page {
        Page::read(&mut self.v, default_len, false)
    }

    /// Records a custom error on `key`.
    pub fn error(&mut self, key: &str, message: &str) {
        self.v.error(key, message);
    }

    /// The collected errors, if any.
    pub fn finish(self) -> Result<(), FormErrors> {
        self.v.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(body: &str) -> Params {
        Params::parse(b"", body.as_bytes(), false).unwrap()
    }

    #[test]
    fn choices_and_bounds_never_overflow_a_smallint() {
        let p = form("a=70000&b=3&c=11&d=2");
        let mut f = Form::new(&p);
        assert_eq!(f.opt_choice("a", &[1, 2]), None);
        assert_eq!(f.opt_choice("b", &[1, 2]), None);
        assert_eq!(f.opt_bounded("c", 0, 10), None);
        assert_eq!(f.choice("d", &[1, 2]), 2);
        assert_eq!(f.choice("missing", &[1, 2]), 0);
        let errors = f.finish().unwrap_err().to_value();
        assert_eq!(errors["missing"][0]["code"], "required");
        assert!(errors["a"][0]["message"]
            .as_str()
            .unwrap()
            .contains("70000"));
    }

    #[test]
    fn mobiles_dates_and_nul_characters_are_checked() {
        // A raw NUL is already refused by `Params::parse`, for every endpoint.
        assert!(Params::parse(b"", b"t=a%00b", false).is_err());
        let p = form("m=13800000000&bad=2380000000&d=2019-01-31&e=2019-02-30");
        let mut f = Form::new(&p);
        assert_eq!(f.mobile("m").as_deref(), Some("13800000000"));
        assert_eq!(f.mobile("bad"), None);
        assert_eq!(f.date("d"), NaiveDate::from_ymd_opt(2019, 1, 31));
        assert_eq!(f.date("e"), None);
        let errors = f.finish().unwrap_err().to_value();
        assert_eq!(errors["bad"][0]["message"], "手机号格式错误");
    }

    #[test]
    fn json_fields_keep_their_text_and_id_lists_are_distinct() {
        let p = form("w=%5B%7B%22b%22%3A1%2C%22a%22%3A2%7D%5D&ids=%5B3%2C%221%22%2C3%5D");
        let mut f = Form::new(&p);
        assert_eq!(f.json_text("w"), r#"[{"b":1,"a":2}]"#);
        assert_eq!(f.ids("ids"), vec![3, 1]);
        assert!(f.finish().is_ok());
        // JSON text holding `\u0000` never reaches a form: the extractor refuses it.
        assert!(Params::parse(b"", b"n=%22%5Cu0000%22", false).is_err());
    }

    #[test]
    fn malformed_id_lists_and_path_ids_are_validation_errors() {
        let p = form("ids=%7B%7D&x=%5B1.5%5D");
        let mut f = Form::new(&p);
        assert!(f.ids("ids").is_empty());
        assert!(f.opt_ids("x").is_none());
        assert!(f.finish().is_err());
        assert_eq!(path_id("abc", "id").unwrap_err().envelope().code, 301);
        assert_eq!(
            path_id("99999999999999999999", "id")
                .unwrap_err()
                .envelope()
                .code,
            301
        );
        assert_eq!(path_id("7", "id").unwrap(), 7);
    }
}
