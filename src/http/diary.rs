//! Diaries of the case app: list, comments and praise, M31–M33, M35 (spec §5.7), signed by the
//! customer. Only published diaries of published cases of the customer's own company are visible;
//! counters move by atomic SQL updates (`store::diary`).

use actix_web::web;
use serde_json::{json, Value};

use crate::auth::Family;
use crate::error::{ApiError, Envelope};
use crate::http::auth::verify;
use crate::http::case::{
    action_company, cover_show_type_text, order, path_id, scoped, status_text,
};
use crate::http::paging::Page;
use crate::http::params::Params;
use crate::state::AppState;
use crate::store::{
    self,
    diary::{DiaryFilter, DiaryItem, Praise},
};
use crate::time;

/// Orders a client may ask M31 for (anything else falls back to the first).
const DIARY_ORDERS: [&str; 4] = ["-create_date", "create_date", "-diary_date", "diary_date"];

/// Longest comment accepted, in characters.
const MAX_COMMENT_CHARS: usize = 10_000;

/// `{code:302, msg:'日记不存在'}`: no published diary with that id in the customer's company.
fn no_such_diary() -> ApiError {
    ApiError::not_found("日记不存在")
}

fn diary_json(d: &DiaryItem) -> Value {
    let (praise, praise_text) = if d.is_praise {
        (1, "已经赞过此日记")
    } else {
        (0, "没有赞过此日记")
    };
    json!({
        "diary_id": d.id,
        "case_id": d.case_id,
        "company_id": d.company_id,
        "is_praise_diary": praise,
        "is_praise_diary_text": praise_text,
        "title": d.title,
        "diary_date": time::date(d.diary_date),
        "cover_picture": d.cover_picture,
        "content": d.content,
        "interval_days": d.interval_days,
        "status": d.status,
        "status_text": status_text(d.status),
        "read_count": d.read_count,
        "comment_count": d.comment_count,
        "up_count": d.up_count,
        "cover_show_type": d.cover_show_type,
        "cover_show_type_text": cover_show_type_text(d.cover_show_type),
        "create_date": time::datetime(d.create_date),
    })
}

/// M31's optional inputs.
struct DiaryQuery {
    diary_id: Option<i64>,
    title: Option<String>,
    case_id: Option<i64>,
    page: Page,
}

/// GET /zhugeleida/xiaochengxu/diary_manage/diary_list: spec M31 "日记 - 列表展示" (a `diary_id`
/// counts one read).
#[tracing::instrument(skip_all)]
pub async fn diary_list(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let s = scoped(&state, &p, |v| {
        // `status` is accepted for compatibility; the mini-program sees published diaries only.
        v.opt_int("status");
        DiaryQuery {
            diary_id: v.opt_int("diary_id"),
            title: v.opt_text("title", 128),
            case_id: v.opt_int("case_id"),
            page: Page::read(v, 20, false),
        }
    })
    .await?;
    let q = &s.input;
    if let Some(diary) = q.diary_id {
        store::diary::add_read(&s.db, diary, s.company).await?;
    }
    let filter = DiaryFilter {
        company: s.company,
        customer: s.customer,
        diary_id: q.diary_id,
        title: q.title.as_deref(),
        case_id: q.case_id,
        order: order(&p, &DIARY_ORDERS),
        limit: q.page.limit,
        offset: q.page.offset,
    };
    let (diaries, total) = store::diary::list(&s.db, &filter).await?;
    let list: Vec<Value> = diaries.iter().map(diary_json).collect();
    Ok(Envelope::ok_data(
        "查询成功",
        json!({"ret_data": list, "data_count": total}),
    ))
}

/// POST /zhugeleida/xiaochengxu/diary_manage/review_diary/{diary_id}: spec M32 "评论日记" (form
/// `content`).
#[tracing::instrument(skip_all)]
pub async fn review_diary(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let customer = verify(&state, Family::Customer, &p).await?;
    let mut v = p.validate();
    let diary = path_id(&mut v, "diary_id", &id);
    let requested = v.opt_int("company_id");
    let content = v.opt_text("content", MAX_COMMENT_CHARS);
    let mut errors = v.finish().err().unwrap_or_default();
    if content.is_none() && p.get("content").is_none_or(|c| c.trim().is_empty()) {
        // The spec's custom text for a missing `content` (Django code "required").
        errors.add("content", "内容不能为空", "required");
    }
    if !errors.is_empty() {
        return Err(errors.in_msg(301));
    }
    let content = content.unwrap_or_default();
    let db = state.db.get().await?;
    let company = action_company(&state, &db, customer, requested).await?;
    store::diary::add_comment(&db, diary, company, customer, content.trim())
        .await?
        .ok_or_else(no_such_diary)?;
    Ok(Envelope::ok("记录成功"))
}

/// GET /zhugeleida/xiaochengxu/diary_manage/diary_id_review_list/{diary_id}: spec M33 "评论列表展示"
/// (newest first, paged).
#[tracing::instrument(skip_all)]
pub async fn review_list(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let s = scoped(&state, &p, |v| {
        (path_id(v, "diary_id", &id), Page::read(v, 20, false))
    })
    .await?;
    let (diary, page) = s.input;
    let (comments, total) =
        store::diary::comments(&s.db, diary, s.company, s.customer, page.limit, page.offset)
            .await?;
    if comments.is_empty() {
        return Err(ApiError::not_found("没有数据"));
    }
    let list: Vec<Value> = comments
        .iter()
        .map(|c| {
            let name = c
                .from_customer_name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| format!("客户ID{}", c.from_customer_id));
            json!({
                "from_customer_id": c.from_customer_id,
                "from_customer_name": name,
                "from_customer_headimgurl": c.from_customer_headimgurl,
                "content": c.content,
                "create_time": time::datetime(c.create_date),
            })
        })
        .collect();
    Ok(Envelope::ok_data(
        "查询成功",
        json!({"ret_data": list, "data_count": total}),
    ))
}

/// POST /zhugeleida/xiaochengxu/diary_manage/praise_diary/{diary_id}: spec M35 "点赞日记" (once;
/// not a toggle).
#[tracing::instrument(skip_all)]
pub async fn praise_diary(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let customer = verify(&state, Family::Customer, &p).await?;
    let mut v = p.validate();
    let diary = path_id(&mut v, "diary_id", &id);
    let requested = v.opt_int("company_id");
    v.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    let company = action_company(&state, &db, customer, requested).await?;
    match store::diary::praise(&db, diary, company, customer).await? {
        Praise::Added => Ok(Envelope::ok("记录成功")),
        Praise::Already => Err(ApiError::not_found("已经点过赞了")),
        Praise::NoSuchDiary => Err(no_such_diary()),
    }
}
