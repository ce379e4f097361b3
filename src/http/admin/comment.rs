//! Diary comments (spec §9.6): the moderation list, approval and deletion of `ids_list`, scoped to
//! one company; and the company's comment-moderation switch (NEW; default off = every comment is
//! visible, spec M33).

use actix_web::web;
use serde_json::{json, Value};

use super::company::company_missing;
use super::input::{path_id, Form};
use super::record::deleted;
use super::tenant::Caller;
use crate::error::{ApiError, Envelope};
use crate::http::params::Params;
use crate::state::AppState;
use crate::store::{self, admin_case_diary::CommentRow};
use crate::time;

fn comments_missing() -> ApiError {
    ApiError::not_found("数据不存在")
}

fn audit_text(is_audit_pass: i16) -> &'static str {
    if is_audit_pass == 1 {
        "审核通过"
    } else {
        "未审核"
    }
}

fn comment_json(c: &CommentRow) -> Value {
    let name = c
        .customer_name
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format!("客户ID{}", c.from_customer_id));
    json!({
        "id": c.id,
        "diary_id": c.diary_id,
        "diary_title": c.diary_title,
        "from_customer_id": c.from_customer_id,
        "from_customer_name": name,
        "from_customer_headimgurl": c.customer_headimgurl,
        "content": c.content,
        "is_audit_pass": c.is_audit_pass,
        "is_audit_pass_text": audit_text(c.is_audit_pass),
        "create_date": time::datetime(c.create_date),
    })
}

/// GET /zhugeleida/admin/comment_manage/diary: spec §9.6 "Comments list" (`is_audit_pass` 0/1,
/// paging), newest first, with the diary title and the customer's name.
#[tracing::instrument(skip_all)]
pub async fn list(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let company = caller.target_company(&state, &p).await?;
    let mut f = Form::new(&p);
    let audit = f.opt_choice("is_audit_pass", &[0, 1]);
    let page = f.page(10);
    f.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    let (rows, total) =
        store::admin_case_diary::comments(&db, company, audit, page.limit, page.offset).await?;
    let list: Vec<Value> = rows.iter().map(comment_json).collect();
    Ok(Envelope::ok_data(
        "查询成功",
        json!({"ret_data": list, "data_count": total}),
    ))
}

/// The company and `ids_list` of a bulk comment operation.
async fn bulk_target(state: &AppState, p: &Params) -> Result<(i64, Vec<i64>), ApiError> {
    let caller = Caller::signed(state, p).await?;
    let company = caller.target_company(state, p).await?;
    let mut f = Form::new(p);
    let ids = f.ids("ids_list");
    f.finish().map_err(|e| e.in_msg(301))?;
    Ok((company, ids))
}

/// POST /zhugeleida/admin/comment_manage/audit_pass: spec §9.6 "Approve" `ids_list`, all or none.
#[tracing::instrument(skip_all)]
pub async fn audit_pass(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let (company, ids) = bulk_target(&state, &p).await?;
    let db = state.db.get().await?;
    if store::admin_case_diary::approve_comments(&db, company, &ids).await? {
        Ok(Envelope::ok("审核成功"))
    } else {
        Err(comments_missing())
    }
}

/// POST /zhugeleida/admin/comment_manage/delete: spec §9.6 "Delete comments" `ids_list`, all or
/// none; each diary's `comment_count` goes down by its deleted comments (New), never below 0.
#[tracing::instrument(skip_all)]
pub async fn delete(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let (company, ids) = bulk_target(&state, &p).await?;
    let db = state.db.get().await?;
    deleted(
        store::admin_case_diary::delete_comments(&db, company, &ids).await?,
        comments_missing,
    )
}

/// POST /zhugeleida/admin/company/update_comment_moderation/{id}: NEW, `comment_moderation` 0/1.
/// When on, customers see only approved comments and their own (spec M33, later code).
#[tracing::instrument(skip_all)]
pub async fn update_comment_moderation(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let company = caller.may_act_on(path_id(&id, "id")?)?;
    let mut f = Form::new(&p);
    let on = f.choice("comment_moderation", &[0, 1]);
    f.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    if store::admin_case_diary::set_comment_moderation(&db, company, on == 1).await? {
        Ok(Envelope::ok("修改成功"))
    } else {
        Err(company_missing())
    }
}
