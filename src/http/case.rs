//! The case library of the case app: cases, tags, footprints and collections, M27–M30, M34, M36,
//! M37 (spec §5.7), signed by the customer. Diaries are `http::diary`.
//!
//! The mini-program sees only published cases (and diaries) of the customer's own company: a
//! `company_id` naming another company answers `{code:404, msg:'非法请求'}`. Lists are paged in SQL
//! and read in one statement per page (tags and newest diary included).

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use deadpool_postgres::Object;
use serde_json::{json, Value};

use crate::error::{ApiError, Envelope};
use crate::http::auth::{verify, Family};
use crate::http::paging::Page;
use crate::http::params::{Params, Validator};
use crate::state::AppState;
use crate::store::{
    self,
    case::{Acted, CaseCard, CaseFilter, DiaryBrief, Tag},
};
use crate::time;

/// Orders a client may ask M27 for (anything else falls back to the first).
const CASE_ORDERS: [&str; 4] = ["-update_date", "update_date", "-create_date", "create_date"];

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

/// `{code:404, msg:'非法请求'}`: the request names a company that is not the customer's.
fn foreign_company() -> ApiError {
    ApiError::code(404, "非法请求")
}

/// A signed list request whose `company_id` is the customer's own company.
pub struct Scoped<T> {
    pub db: Object,
    pub customer: i64,
    pub company: i64,
    pub input: T,
}

/// Checks the signature, reads the required `company_id` and the endpoint's own fields with `read`
/// (errors → `{code:301, msg:'验证未通过', data:<errors>}`), then checks the company is the
/// customer's (else 404).
pub async fn scoped<T>(
    state: &AppState,
    p: &Params,
    read: impl FnOnce(&mut Validator<'_>) -> T,
) -> Result<Scoped<T>, ApiError> {
    let customer = verify(state, Family::Customer, p).await?;
    let mut v = p.validate();
    let company = v.int("company_id");
    let input = read(&mut v);
    v.finish().map_err(|e| e.in_data(301, "验证未通过"))?;
    let db = state.db.get().await?;
    if customer_company(state, &db, customer).await? != Some(company) {
        return Err(foreign_company());
    }
    Ok(Scoped {
        db,
        customer,
        company,
        input,
    })
}

/// The customer's company, cached once known. Only a binding (M2) moves a customer to another
/// company: this node's cache follows at once, other nodes within `auth.token_cache_secs`.
async fn customer_company(
    state: &AppState,
    db: &Object,
    customer: i64,
) -> Result<Option<i64>, ApiError> {
    if let Some(company) = state.customer_companies.get(&customer) {
        return Ok(Some(company));
    }
    let own = store::case::customer_company(db, customer).await?.flatten();
    if let Some(company) = own {
        state.customer_companies.put(customer, company);
    }
    Ok(own)
}

/// The company an action acts in: the customer's own; an optional `company_id` must name it.
/// `None` when the customer has no company yet (nothing is visible then).
pub async fn action_company(
    state: &AppState,
    db: &Object,
    customer: i64,
    requested: Option<i64>,
) -> Result<Option<i64>, ApiError> {
    let own = customer_company(state, db, customer).await?;
    match requested {
        Some(company) if own != Some(company) => Err(foreign_company()),
        _ => Ok(own),
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

/// Which list a case item is rendered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listing {
    /// M27: with `case_name` and `update_date`; `diary_date` as `YYYY-MM-DD`.
    Library,
    /// M36/M37: `create_date` is when browsed/collected; `diary_date` as `YYYY-MM-DD HH:MM:SS`.
    Mine,
}

fn diary_json(d: &DiaryBrief, c: &CaseCard, diary_date: fn(DateTime<Utc>) -> String) -> Value {
    json!({
        "diary_id": d.id,
        "case_id": c.id,
        "company_id": c.company_id,
        "title": d.title,
        "diary_date": diary_date(d.diary_date),
        "cover_picture": d.cover_picture,
        "content": d.content,
        "status": d.status,
        "status_text": status_text(d.status),
        "cover_show_type": d.cover_show_type,
        "cover_show_type_text": cover_show_type_text(d.cover_show_type),
        "create_date": time::datetime(d.create_date),
    })
}

fn case_json(c: &CaseCard, listing: Listing) -> Value {
    let date_fmt = match listing {
        Listing::Library => time::date,
        Listing::Mine => time::datetime,
    };
    let last = c
        .last_diary
        .as_ref()
        .map_or(json!(""), |d| diary_json(d, c, date_fmt));
    let mut item = json!({
        "case_id": c.id,
        "company_id": c.company_id,
        "customer_name": c.customer_name,
        "headimgurl": c.headimgurl,
        "cover_picture": c.cover_picture,
        "status": c.status,
        "status_text": status_text(c.status),
        "tag_list": c.tags,
        "last_diary_data": last,
        "create_date": time::datetime(c.create_date),
    });
    if listing == Listing::Library {
        item["case_name"] = json!(c.case_name);
        item["update_date"] = json!(time::datetime_or_empty(c.update_date));
    }
    item
}

fn tags_json(tags: &[Tag]) -> Vec<Value> {
    tags.iter()
        .map(|t| json!({"id": t.id, "name": t.name}))
        .collect()
}

/// M27's optional inputs.
struct CaseQuery {
    case_id: Option<i64>,
    tag_id: Option<i64>,
    customer_name: Option<String>,
    page: Page,
}

/// GET /zhugeleida/xiaochengxu/case_manage/case_list: spec M27 "案例库_列表展示(分页) | 单个展示 |
/// 根据标签搜索相关案例".
#[tracing::instrument(skip_all)]
pub async fn case_list(state: web::Data<AppState>, p: Params) -> Result<HttpResponse, ApiError> {
    let s = scoped(&state, &p, |v| {
        // `status` is accepted for compatibility; the mini-program sees published cases only.
        v.opt_int("status");
        CaseQuery {
            case_id: v.opt_int("case_id"),
            tag_id: v.opt_int("search_tag_id"),
            customer_name: v.opt_text("customer_name", 128),
            page: Page::read(v, 20, false),
        }
    })
    .await?;
    let q = &s.input;
    let order = order(&p, &CASE_ORDERS);
    // The unfiltered page is the same for every customer of the company: one query per period.
    let unfiltered = q.case_id.is_none() && q.tag_id.is_none() && q.customer_name.is_none();
    let key = (s.company, order, q.page.limit, q.page.offset);
    if let Some(body) = unfiltered.then(|| state.case_pages.get(&key)).flatten() {
        return Ok(json_response(body));
    }
    if let Some(tag) = q.tag_id {
        store::case::count_tag_search(&s.db, tag, s.company, s.customer).await?;
    }
    if let Some(case) = q.case_id {
        store::case::record_browse(&s.db, case, s.company, s.customer).await?;
    }
    let filter = CaseFilter {
        company: s.company,
        case_id: q.case_id,
        tag_id: q.tag_id,
        customer_name: q.customer_name.as_deref(),
        order,
        limit: q.page.limit,
        offset: q.page.offset,
        with_last_diary: q.case_id.is_none(),
    };
    let (cases, total) = store::case::list(&s.db, &filter).await?;
    if cases.is_empty() {
        return Err(ApiError::not_found("数据不存在"));
    }
    let list: Vec<Value> = cases
        .iter()
        .map(|c| case_json(c, Listing::Library))
        .collect();
    let envelope = Envelope::ok_data("查询成功", json!({"ret_data": list, "data_count": total}));
    let body =
        web::Bytes::from(serde_json::to_vec(&envelope).map_err(|e| ApiError::Internal(e.into()))?);
    if unfiltered {
        state.case_pages.put(key, body.clone());
    }
    Ok(json_response(body))
}

/// An answer already serialized (a cached page).
fn json_response(body: web::Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(body)
}

/// GET /zhugeleida/xiaochengxu/case_tag/case_list: spec M28 "标签列表展示 | 模糊搜索".
#[tracing::instrument(skip_all)]
pub async fn tag_list(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let s = scoped(&state, &p, |v| {
        (v.opt_text("name", 128), Page::read(v, 20, false))
    })
    .await?;
    let (name, page) = &s.input;
    let (tags, total) =
        store::case::tags(&s.db, s.company, name.as_deref(), page.limit, page.offset).await?;
    Ok(Envelope::ok_data(
        "",
        json!({"ret_data": tags_json(&tags), "data_count": total}),
    ))
}

/// GET /zhugeleida/xiaochengxu/case_tag/history_case_list: spec M29 "历史标签记录" (newest first,
/// de-duplicated, at most 13).
#[tracing::instrument(skip_all)]
pub async fn tag_history(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let s = scoped(&state, &p, |_| ()).await?;
    let tags = store::case::tag_history(&s.db, s.customer, s.company).await?;
    Ok(Envelope::ok_data(
        "",
        json!({"ret_data": tags_json(&tags), "data_count": tags.len()}),
    ))
}

/// GET /zhugeleida/xiaochengxu/case_tag/top_search_tag_list: spec M30 "热门标签搜索" (13 at most;
/// `data_count` = all the company's tags).
#[tracing::instrument(skip_all)]
pub async fn top_tags(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let s = scoped(&state, &p, |_| ()).await?;
    let (tags, total) = store::case::top_tags(&s.db, s.company).await?;
    Ok(Envelope::ok_data(
        "",
        json!({"ret_data": tags_json(&tags), "data_count": total}),
    ))
}

/// POST /zhugeleida/xiaochengxu/case_manage/collection_case: spec M34 "收藏某个案例" (form `case_id`,
/// `status` 0 未收藏 / 1 已收藏).
#[tracing::instrument(skip_all)]
pub async fn collection_case(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let customer = verify(&state, Family::Customer, &p).await?;
    let mut v = p.validate();
    let case = v.int("case_id");
    let status = v.int("status");
    let requested = v.opt_int("company_id");
    if !(0..=1).contains(&status) {
        let msg = format!("Select a valid choice. {status} is not one of the available choices.");
        v.error("status", &msg);
    }
    v.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    let company = action_company(&state, &db, customer, requested).await?;
    // 0..=1 checked above.
    let status = status as i16;
    if !store::case::collect(&db, case, company, customer, status).await? {
        return Err(ApiError::not_found("案例不存在"));
    }
    Ok(Envelope::ok("记录成功"))
}

/// The customer's footprints or collections, newest first (M36/M37).
async fn acted_cases(state: &AppState, p: &Params, acted: Acted) -> Result<Envelope, ApiError> {
    let s = scoped(state, p, |v| Page::read(v, 20, false)).await?;
    let page = s.input;
    let (cases, total) =
        store::case::acted_list(&s.db, s.customer, acted, s.company, page.limit, page.offset)
            .await?;
    let list: Vec<Value> = cases.iter().map(|c| case_json(c, Listing::Mine)).collect();
    Ok(Envelope::ok_data(
        "查询成功",
        json!({"ret_data": list, "data_count": total}),
    ))
}

/// GET /zhugeleida/xiaochengxu/case_manage/browse_case_list_record: spec M36 "我的足迹 - 浏览记录".
#[tracing::instrument(skip_all)]
pub async fn browse_list(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    acted_cases(&state, &p, Acted::Browsed).await
}

/// GET /zhugeleida/xiaochengxu/case_manage/collection_case_list_record: spec M37 "我的收藏 - 案例列表".
#[tracing::instrument(skip_all)]
pub async fn collection_list(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    acted_cases(&state, &p, Acted::Collected).await
}

#[cfg(test)]
mod tests {
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
