//! The case items of M27, M36 and M37, serialized straight from the rows into the legacy envelope,
//! and the tag items of M28–M30.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{cover_show_type_text, status_text};
use crate::error::ApiError;
use crate::store::{
    case::{CaseCard, DiaryBrief, Tag},
    json_text::JsonText,
};
use crate::time;

/// Which list a case item is rendered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Listing {
    /// M27: with `case_name` and `update_date`; `diary_date` as `YYYY-MM-DD`.
    Library,
    /// M36/M37: `create_date` is when browsed/collected; `diary_date` as `YYYY-MM-DD HH:MM:SS`.
    Mine,
}

// The items are serialized from these typed views of the rows (borrowed strings and JSON, dates
// formatted straight into the output), not through `serde_json::Value` trees. The wire format is
// the one the `json!` trees gave: serde_json (without `preserve_order`) writes object keys sorted,
// so every struct below declares its fields in alphabetical order
// (`tests::typed_items_match_the_value_trees_byte_for_byte` holds the old code as the reference).

/// A date in one of the legacy formats (`time::datetime`/`time::date`), formatted on output;
/// `''` for none.
#[derive(Clone, Copy)]
struct When(Option<DateTime<Utc>>, fn(DateTime<Utc>) -> time::Shown);

impl serde::Serialize for When {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(t) => s.serialize_str((self.1)(t).as_str()),
            None => s.serialize_str(""),
        }
    }
}

/// `last_diary_data`: the diary, or `""` when the case has none.
enum LastDiary<'a> {
    None,
    Some(DiaryItem<'a>),
}

impl serde::Serialize for LastDiary<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            LastDiary::None => s.serialize_str(""),
            LastDiary::Some(d) => d.serialize(s),
        }
    }
}

#[derive(serde::Serialize)]
struct DiaryItem<'a> {
    case_id: i64,
    company_id: i64,
    content: &'a JsonText,
    cover_picture: &'a JsonText,
    cover_show_type: i16,
    cover_show_type_text: &'static str,
    create_date: When,
    diary_date: When,
    diary_id: i64,
    status: i16,
    status_text: &'static str,
    title: &'a str,
}

#[derive(serde::Serialize)]
struct CaseItem<'a> {
    case_id: i64,
    /// M27 only.
    #[serde(skip_serializing_if = "Option::is_none")]
    case_name: Option<&'a str>,
    company_id: i64,
    cover_picture: &'a JsonText,
    create_date: When,
    customer_name: &'a str,
    headimgurl: &'a str,
    last_diary_data: LastDiary<'a>,
    status: i16,
    status_text: &'static str,
    tag_list: &'a [Tag],
    /// M27 only: the date, or `''`.
    #[serde(skip_serializing_if = "Option::is_none")]
    update_date: Option<When>,
}

/// `{ret_data, data_count}` of a list page (keys in output order).
#[derive(serde::Serialize)]
struct ListData<T> {
    data_count: i64,
    ret_data: T,
}

fn diary_item<'a>(d: &'a DiaryBrief, c: &CaseCard, listing: Listing) -> DiaryItem<'a> {
    let diary_date = match listing {
        Listing::Library => time::date_shown,
        Listing::Mine => time::datetime_shown,
    };
    DiaryItem {
        case_id: c.id,
        company_id: c.company_id,
        content: &d.content,
        cover_picture: &d.cover_picture,
        cover_show_type: d.cover_show_type,
        cover_show_type_text: cover_show_type_text(d.cover_show_type),
        create_date: When(Some(d.create_date), time::datetime_shown),
        diary_date: When(Some(d.diary_date), diary_date),
        diary_id: d.id,
        status: d.status,
        status_text: status_text(d.status),
        title: &d.title,
    }
}

fn case_item(c: &CaseCard, listing: Listing) -> CaseItem<'_> {
    let library = listing == Listing::Library;
    CaseItem {
        case_id: c.id,
        case_name: library.then_some(c.case_name.as_str()),
        company_id: c.company_id,
        cover_picture: &c.cover_picture,
        create_date: When(Some(c.create_date), time::datetime_shown),
        customer_name: &c.customer_name,
        headimgurl: &c.headimgurl,
        last_diary_data: c.last_diary.as_ref().map_or(LastDiary::None, |d| {
            LastDiary::Some(diary_item(d, c, listing))
        }),
        status: c.status,
        status_text: status_text(c.status),
        tag_list: &c.tags,
        update_date: library.then_some(When(c.update_date, time::datetime_shown)),
    }
}

/// The JSON body of a list of cases: the legacy envelope with `{ret_data, data_count}`.
pub(super) fn cases_body(
    cases: &[CaseCard],
    total: i64,
    listing: Listing,
) -> Result<web::Bytes, ApiError> {
    let items: Vec<CaseItem<'_>> = cases.iter().map(|c| case_item(c, listing)).collect();
    let data = ListData {
        data_count: total,
        ret_data: items,
    };
    let mut out = Vec::with_capacity(1024 + cases.len() * 1024);
    crate::error::write_envelope(&mut out, "查询成功", &data)
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(web::Bytes::from(out))
}

pub(super) fn tags_json(tags: &[Tag]) -> Vec<Value> {
    tags.iter()
        .map(|t| json!({"id": t.id, "name": t.name}))
        .collect()
}

/// An answer already serialized (a cached page).
pub(super) fn json_response(body: web::Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(body)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // unwrap: a failing setup should fail the test loudly
mod tests {
    use super::*;
    use crate::error::Envelope;
    use chrono::TimeZone;

    // The `Value`-tree code the typed items replaced, kept as the reference of the wire format.
    // JSON columns were read as `Value`s then.
    fn value(j: &JsonText) -> Value {
        serde_json::from_str(j.as_str()).unwrap()
    }

    fn old_diary_json(
        d: &DiaryBrief,
        c: &CaseCard,
        diary_date: fn(DateTime<Utc>) -> String,
    ) -> Value {
        json!({
            "diary_id": d.id,
            "case_id": c.id,
            "company_id": c.company_id,
            "title": d.title,
            "diary_date": diary_date(d.diary_date),
            "cover_picture": value(&d.cover_picture),
            "content": value(&d.content),
            "status": d.status,
            "status_text": status_text(d.status),
            "cover_show_type": d.cover_show_type,
            "cover_show_type_text": cover_show_type_text(d.cover_show_type),
            "create_date": time::datetime(d.create_date),
        })
    }

    fn old_case_json(c: &CaseCard, listing: Listing) -> Value {
        let date_fmt = match listing {
            Listing::Library => time::date,
            Listing::Mine => time::datetime,
        };
        let last = c
            .last_diary
            .as_ref()
            .map_or(json!(""), |d| old_diary_json(d, c, date_fmt));
        let tags: Vec<Value> = c
            .tags
            .iter()
            .map(|t| json!({"id": t.id, "name": t.name}))
            .collect();
        let mut item = json!({
            "case_id": c.id,
            "company_id": c.company_id,
            "customer_name": c.customer_name,
            "headimgurl": c.headimgurl,
            "cover_picture": value(&c.cover_picture),
            "status": c.status,
            "status_text": status_text(c.status),
            "tag_list": tags,
            "last_diary_data": last,
            "create_date": time::datetime(c.create_date),
        });
        if listing == Listing::Library {
            item["case_name"] = json!(c.case_name);
            item["update_date"] = json!(time::datetime_or_empty(c.update_date));
        }
        item
    }

    fn old_body(cases: &[CaseCard], total: i64, listing: Listing) -> Vec<u8> {
        let list: Vec<Value> = cases.iter().map(|c| old_case_json(c, listing)).collect();
        let envelope =
            Envelope::ok_data("查询成功", json!({"ret_data": list, "data_count": total}));
        serde_json::to_vec(&envelope).unwrap()
    }

    /// A JSON column as PostgreSQL sends jsonb: spaces after separators, keys by length first.
    fn pg_text(text: &str) -> JsonText {
        let raw = [&[1_u8][..], text.as_bytes()].concat();
        tokio_postgres::types::FromSql::from_sql(&tokio_postgres::types::Type::JSONB, &raw).unwrap()
    }

    /// Cases covering every shape: with and without a diary, update date or tags; JSON columns
    /// as PostgreSQL renders them, with keys out of bytewise order, nesting, escapes, reformatted
    /// numbers and non-ASCII text; midnight and sub-second dates.
    fn seeded_page() -> Vec<CaseCard> {
        let at = |s: i64, ns: u32| Utc.timestamp_opt(1_700_000_000 + s, ns).unwrap();
        let diary = |id: i64, content: &str| DiaryBrief {
            id,
            title: format!("日记 \"{id}\" <b>&</b>\n\t\u{1F600}"),
            diary_date: at(id * 86_400, 0),
            cover_picture: pg_text(r#"["statics/a.jpg", {"z": 1, "aa": [true, null, 1.50]}]"#),
            content: pg_text(content),
            status: 1,
            cover_show_type: (id % 3) as i16,
            create_date: at(id * 3_600, 123_456_789),
        };
        (0..20)
            .map(|i| CaseCard {
                id: 1000 + i,
                case_name: format!("Case {i} 案例 \\ /"),
                company_id: 7,
                customer_name: if i % 4 == 0 {
                    String::new()
                } else {
                    format!("客户{i}")
                },
                headimgurl: format!("statics/imgs/owner_{i}.jpg"),
                cover_picture: if i % 5 == 0 {
                    pg_text("[]")
                } else {
                    pg_text(&format!(r#"{{"b": {i}, "aa": "x", "ab": 1e2}}"#))
                },
                status: (1 + i % 3) as i16,
                update_date: (i % 3 != 0).then(|| at(-i * 1_000, 0)),
                create_date: at(-i * 7_919, (i as u32) * 1_000_000),
                tags: (0..(i % 4))
                    .map(|t| Tag {
                        id: 50 + t,
                        name: format!("标签{t}\u{7}"),
                    })
                    .collect(),
                last_diary: (i % 6 != 1).then(|| {
                    diary(
                        i,
                        &if i % 2 == 0 {
                            r#"{"n": -0.25, "text": "长文\u00e9\"", "blocks": [{"x": 1, "yy": 2}]}"#
                                .to_owned()
                        } else {
                            format!(r#""Content of diary {i} lorem ipsum""#)
                        },
                    )
                }),
            })
            .collect()
    }

    #[test]
    fn typed_items_match_the_value_trees_byte_for_byte() {
        let page = seeded_page();
        for listing in [Listing::Library, Listing::Mine] {
            for cases in [&page[..], &page[..1], &[][..]] {
                let new = cases_body(cases, 213, listing).unwrap();
                let old = old_body(cases, 213, listing);
                assert_eq!(
                    String::from_utf8(new.to_vec()).unwrap(),
                    String::from_utf8(old).unwrap(),
                    "{listing:?}"
                );
            }
        }
    }
}
