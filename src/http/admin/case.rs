//! The case library's cases (spec §9.6): list (published and unpublished), add, edit and logical
//! delete, scoped to one company. A case name is unique among the company's published cases; tags
//! must be the company's. Diaries are in `diary`, comments in `comment`, tags in `case_tag`.

use actix_web::web;
use serde_json::{json, Value};

use super::company::company_missing;
use super::input::{path_id, unique_violation, Form};
use super::record::{deleted, owned};
use super::tenant::{illegal, Caller};
use crate::error::{ApiError, Envelope, FormErrors};
use crate::http::params::Params;
use crate::state::AppState;
use crate::store::{
    self,
    admin_case::{CaseFilter, CaseForm, CaseRow, LastDiary},
};
use crate::time;

/// Orders a client may ask for (anything else falls back to the first).
const ORDERS: [&str; 4] = ["-update_date", "update_date", "-create_date", "create_date"];

/// `'已发'` / `'未发'` (status 1 / 2).
pub fn status_text(status: i16) -> &'static str {
    match status {
        1 => "已发",
        2 => "未发",
        _ => "",
    }
}

/// `'只展示图片'` / `'只展示视频'` (cover_show_type 1 / 2).
pub fn cover_show_type_text(t: i16) -> &'static str {
    match t {
        1 => "只展示图片",
        2 => "只展示视频",
        _ => "",
    }
}

fn case_missing() -> ApiError {
    ApiError::not_found("案例不存在")
}

fn name_taken() -> ApiError {
    FormErrors::single("case_name", "不能存在相同的案例名", "invalid").in_msg(301)
}

fn last_diary_json(d: &LastDiary, c: &CaseRow) -> Value {
    json!({
        "diary_id": d.id,
        "case_id": c.id,
        "company_id": c.company_id,
        "title": d.title,
        "diary_date": time::date(d.diary_date),
        "cover_picture": d.cover_picture,
        "content": d.content,
        "status": d.status,
        "status_text": status_text(d.status),
        "cover_show_type": d.cover_show_type,
        "cover_show_type_text": cover_show_type_text(d.cover_show_type),
        "create_date": time::datetime(d.create_date),
    })
}

fn case_json(c: &CaseRow, single: bool) -> Value {
    let last = match (&c.last_diary, single) {
        (Some(d), false) => last_diary_json(d, c),
        _ => json!(""),
    };
    json!({
        "case_id": c.id,
        "case_name": c.case_name,
        "company_id": c.company_id,
        "customer_name": c.customer_name,
        "headimgurl": c.headimgurl,
        "cover_picture": c.cover_picture,
        "status": c.status,
        "status_text": status_text(c.status),
        "tag_list": c.tag_list,
        "last_diary_data": last,
        "update_date": time::datetime_or_empty(c.update_date),
        "create_date": time::datetime(c.create_date),
    })
}

/// GET /zhugeleida/admin/case_manage/case_list: spec §9.6 "Cases list" (like M27, unpublished
/// cases included, no side effects).
#[tracing::instrument(skip_all)]
pub async fn list(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let company = caller.target_company(&state, &p).await?;
    let mut f = Form::new(&p);
    let case_id = f.opt_int("case_id");
    let status = f.opt_choice("status", &[1, 2]);
    let customer_name = f.opt_text("customer_name", 64);
    let page = f.page(20);
    f.finish().map_err(|e| e.in_msg(301))?;
    let filter = CaseFilter {
        case_id,
        status,
        customer_name: customer_name.as_deref(),
        order: p
            .get("order")
            .filter(|o| ORDERS.contains(o))
            .unwrap_or(ORDERS[0]),
        limit: page.limit,
        offset: page.offset,
    };
    let db = state.db.get().await?;
    let (rows, total) = store::admin_case::cases(&db, company, &filter).await?;
    if rows.is_empty() {
        return Err(ApiError::not_found("数据不存在"));
    }
    let list: Vec<Value> = rows
        .iter()
        .map(|c| case_json(c, case_id.is_some()))
        .collect();
    Ok(Envelope::ok_data(
        "查询成功",
        json!({"ret_data": list, "data_count": total}),
    ))
}

/// Reads the case form. `creating`: absent optional fields take their defaults instead of keeping
/// the stored values.
fn read_case(p: &Params, creating: bool) -> Result<CaseForm, ApiError> {
    let present = |k: &str| p.get(k).is_some_and(|s| !s.trim().is_empty());
    let mut f = Form::new(p);
    let case_name = f.text("case_name", 128).trim().to_owned();
    let customer_name = f.text("customer_name", 64);
    let headimgurl = f.opt_text("headimgurl", 256);
    let status = f.choice("status", &[1, 2]);
    let cover_picture = present("cover_picture").then(|| f.json_text("cover_picture"));
    let tag_ids = f.opt_ids("tags_id_list");
    f.finish().map_err(|e| e.in_msg(301))?;
    let cover_picture = cover_picture
        .map(|text| serde_json::from_str::<Value>(&text))
        .transpose()
        .map_err(|_| FormErrors::single("cover_picture", "Enter a valid JSON.", "invalid"))
        .map_err(|e| e.in_msg(301))?;
    Ok(CaseForm {
        case_name,
        customer_name,
        headimgurl,
        cover_picture,
        status,
        tag_ids: if creating {
            Some(tag_ids.unwrap_or_default())
        } else {
            tag_ids
        },
    })
}

/// Checks that every tag of the form is a tag of `company`: an unknown id is a field error, another
/// company's tag is `非法请求`.
async fn check_tags(
    db: &impl deadpool_postgres::GenericClient,
    company: i64,
    form: &CaseForm,
) -> Result<(), ApiError> {
    let Some(ids) = form.tag_ids.as_deref().filter(|ids| !ids.is_empty()) else {
        return Ok(());
    };
    let found = store::admin_case::tag_companies(db, ids).await?;
    if found.len() != ids.len() {
        return Err(FormErrors::single("tags_id_list", "标签不存在", "invalid").in_msg(301));
    }
    if found.iter().any(|(_, c)| *c != company) {
        return Err(illegal());
    }
    Ok(())
}

/// POST /zhugeleida/admin/case_manage/add/{o_id}: spec §9.6 "Case add".
#[tracing::instrument(skip_all)]
pub async fn add(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let company = caller.target_company(&state, &p).await?;
    let form = read_case(&p, true)?;
    let mut db = state.db.get().await?;
    if !store::admin_company::exists(&db, company).await? {
        return Err(company_missing());
    }
    check_tags(&db, company, &form).await?;
    if form.status == 1
        && store::admin_case::case_name_taken(&db, company, &form.case_name, None).await?
    {
        return Err(name_taken());
    }
    let tx = db.transaction().await?;
    let id = match store::admin_case::insert_case(&tx, company, caller.id, &form).await {
        Ok(id) => id,
        Err(e) if unique_violation(&e) => return Err(name_taken()),
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(Envelope::ok_data("添加成功", json!({"case_id": id})))
}

/// POST /zhugeleida/admin/case_manage/update/{id}: spec §9.6 "Case edit" (absent `headimgurl`,
/// `cover_picture` or `tags_id_list` keep their stored values).
#[tracing::instrument(skip_all)]
pub async fn update(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let id = path_id(&id, "id")?;
    let form = read_case(&p, false)?;
    let mut db = state.db.get().await?;
    let company = store::admin_case::case_company(&db, id).await?;
    let company = caller.owns(&state, &p, company, case_missing).await?;
    check_tags(&db, company, &form).await?;
    if form.status == 1
        && store::admin_case::case_name_taken(&db, company, &form.case_name, Some(id)).await?
    {
        return Err(name_taken());
    }
    let tx = db.transaction().await?;
    match store::admin_case::update_case(&tx, id, &form).await {
        Ok(true) => {}
        Ok(false) => return Err(case_missing()),
        Err(e) if unique_violation(&e) => return Err(name_taken()),
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Envelope::ok("修改成功"))
}

/// POST /zhugeleida/admin/case_manage/delete/{id} (also the doc's `/case/delete/{id}`): spec §9.6
/// "Case delete", logical (status 3), with its diaries.
#[tracing::instrument(skip_all)]
pub async fn delete(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let r = owned(
        &state,
        &p,
        &id,
        store::admin_case::case_company,
        case_missing,
    )
    .await?;
    deleted(
        store::admin_case::delete_case(&r.db, r.id).await?,
        case_missing,
    )
}
