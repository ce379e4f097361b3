//! The case library of the case app: cases, tags, footprints and collections, M27–M30, M34, M36,
//! M37 (spec §5.7), signed by the customer. Diaries are `http::diary`.
//!
//! The mini-program sees only published cases (and diaries) of the customer's own company: a
//! `company_id` naming another company answers `{code:404, msg:'非法请求'}`. Lists are paged in SQL
//! and read in one statement per page (tags and newest diary included).
//!
//! - `scope`      — the signed request scoped to the customer's own company that the case and diary
//!   handlers start from ([`scoped`], [`action_company`]); the company is cached per node.
//! - `library`    — M27 (the case list, its unfiltered pages cached per node) and the tags, M28–M30.
//! - `collection` — collecting a case (M34), the customer's footprints (M36) and collections (M37).
//! - `render`     — the case items of M27/M36/M37 serialized straight from the rows.
//! - here: the spec's status and cover texts, and the `order` and `{id}` readers `http::diary`
//!   shares.

mod collection;
mod library;
mod render;
mod scope;

pub use collection::{browse_list, collection_case, collection_list};
pub use library::{case_list, tag_history, tag_list, top_tags};
pub use scope::{action_company, scoped, Scoped};

use crate::http::params::{Params, Validator};

/// Status texts of cases and diaries (spec §3.5).
pub fn status_text(status: i16) -> &'static str {
    match status {
        1 => "已发",
        2 => "未发",
        3 => "删除",
        _ => "",
    }
}

/// Cover texts of diaries (spec §3.5).
pub fn cover_show_type_text(cover_show_type: i16) -> &'static str {
    match cover_show_type {
        1 => "只展示图片",
        2 => "只展示视频",
        _ => "",
    }
}

/// Reads an `{id}` path segment as field `key`, recording Django's error when it is no integer.
pub fn path_id(v: &mut Validator<'_>, key: &str, raw: &str) -> i64 {
    raw.trim().parse().unwrap_or_else(|_| {
        v.error(key, crate::error::FormErrors::NOT_INT);
        0
    })
}

/// The `order` parameter if it is one of `allowed`, else the first of them.
pub fn order(p: &Params, allowed: &[&'static str]) -> &'static str {
    p.get("order")
        .and_then(|o| allowed.iter().copied().find(|a| *a == o))
        .unwrap_or(allowed[0])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // unwrap: a failing setup should fail the test loudly
mod tests {
    use super::library::CASE_ORDERS;
    use super::*;

    #[test]
    fn texts_follow_the_spec() {
        assert_eq!((status_text(1), status_text(2)), ("已发", "未发"));
        assert_eq!(cover_show_type_text(1), "只展示图片");
        assert_eq!(cover_show_type_text(2), "只展示视频");
    }

    #[test]
    fn unknown_orders_fall_back_to_the_default() {
        let p = Params::parse(b"order=id;drop", b"", false).unwrap();
        assert_eq!(order(&p, &CASE_ORDERS), "-update_date");
        let p = Params::parse(b"order=create_date", b"", false).unwrap();
        assert_eq!(order(&p, &CASE_ORDERS), "create_date");
    }

    #[test]
    fn path_ids_that_are_not_integers_are_field_errors() {
        let p = Params::default();
        let mut v = p.validate();
        assert_eq!(path_id(&mut v, "diary_id", "12"), 12);
        path_id(&mut v, "diary_id", "abc");
        let errors = v.finish().unwrap_err().to_value();
        assert_eq!(errors["diary_id"][0]["code"], "invalid");
    }
}
