//! The case library proper: the case list (M27, whose unfiltered pages are cached per node) and
//! the company's tags (M28–M30).

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::order;
use super::render::{cases_body, json_response, tags_json, Listing};
use super::scope::scoped;
use crate::error::{ApiError, Envelope};
use crate::http::paging::Page;
use crate::http::params::Params;
use crate::state::AppState;
use crate::store::{self, case::CaseFilter};

/// Orders a client may ask M27 for (anything else falls back to the first).
pub(super) const CASE_ORDERS: [&str; 4] = store::case::LIST_ORDERS;

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
    let body = cases_body(&cases, total, Listing::Library)?;
    if unfiltered {
        state.case_pages.put(key, body.clone());
    }
    Ok(json_response(body))
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
