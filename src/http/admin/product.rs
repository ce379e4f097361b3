//! Products (spec §9.4), scoped to one company: list, single, create, update, delete, status and
//! list order. Personal products (`product_type` 2) belong to a radar user of the same company.

use actix_web::web;
use serde_json::{json, Value};

use super::input::{path_id, unique_violation, Form};
use super::record::deleted;
use super::tenant::{illegal, Caller};
use crate::error::{ApiError, Envelope, FormErrors};
use crate::http::params::Params;
use crate::state::AppState;
use crate::store::{
    self,
    admin_product::{AdminProduct, NewProduct, ProductEdit, ProductFilter},
    product::status_label,
};
use crate::time;

/// Orders a client may ask for (anything else falls back to the first).
const ORDERS: [&str; 3] = ["-recommend_index", "-create_date", "create_date"];

fn product_missing() -> ApiError {
    ApiError::not_found("产品不存在")
}

fn name_taken() -> ApiError {
    FormErrors::single("name", "产品名称不能重复", "invalid").in_msg(301)
}

fn list_json(p: &AdminProduct) -> Value {
    json!({
        "product_id": p.id,
        "content": {"cover_data": p.content},
        "name": p.name,
        "price": p.price,
        "publisher_date": time::datetime(p.create_date),
        "publisher": p.publisher,
        "status": status_label(p.status),
        "recommend_index": p.recommend_index,
        "status_code": p.status,
    })
}

/// GET /zhugeleida/admin/product/product_list: spec §9.4 "List".
#[tracing::instrument(skip_all)]
pub async fn list(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let company = caller.target_company(&state, &p).await?;
    let mut f = Form::new(&p);
    let product_type = f.choice("product_type", &[1, 2]);
    let name = f.opt_text("product_name", 128);
    let status = f.opt_choice("status", &[1, 2]);
    let page = f.page(10);
    f.finish().map_err(|e| e.in_msg(301))?;
    let statuses: &[i16] = if status == Some(2) { &[2] } else { &[1, 3] };
    let filter = ProductFilter {
        personal: product_type == 2,
        name: name.as_deref(),
        statuses,
        order: p
            .get("order")
            .filter(|o| ORDERS.contains(o))
            .unwrap_or(ORDERS[0]),
        limit: page.limit,
        offset: page.offset,
    };
    let db = state.db.get().await?;
    let (rows, total) = store::admin_product::list(&db, company, &filter).await?;
    if rows.is_empty() {
        return Err(ApiError::not_found("产品列表无数据"));
    }
    let list: Vec<Value> = rows.iter().map(list_json).collect();
    Ok(Envelope::ok_data(
        "查询成功",
        json!({"ret_data": list, "data_count": total}),
    ))
}

/// GET /zhugeleida/admin/product/product_single: spec §9.4 "Single" (like M19, plus `publisher`).
#[tracing::instrument(skip_all)]
pub async fn single(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let mut f = Form::new(&p);
    let product_id = f.int("product_id");
    let product_type = f.opt_choice("product_type", &[1, 2]);
    f.finish().map_err(|e| e.in_data(402, "请求异常"))?;
    let not_there =
        || FormErrors::single("product_id", "产品不存在", "invalid").in_data(402, "请求异常");
    let db = state.db.get().await?;
    let company = store::admin_product::company_of(&db, product_id).await?;
    let company = caller.owns(&state, &p, company, not_there).await?;
    let d = store::admin_product::single(&db, company, product_id)
        .await?
        .filter(|d| product_type.is_none_or(|t| (t == 2) == d.user_id.is_some()))
        .ok_or_else(not_there)?;
    let item = json!({
        "id": d.product.id,
        "publisher_date": time::iso(d.product.create_date),
        "content": d.product.content,
        "name": d.product.name,
        "price": d.product.price,
        "user_avatar": d.user_avatar.clone().unwrap_or_default(),
        "username": d.username.clone().unwrap_or_default(),
        "position": d.position.clone().unwrap_or_default(),
        "reason": d.reason,
        "create_date": time::date(d.product.create_date),
        "status": status_label(d.product.status),
        "status_code": d.product.status,
        "recommend_index": d.product.recommend_index,
        "publisher": d.product.publisher,
    });
    Ok(Envelope::ok_data(
        "查询成功",
        json!({"ret_data": [item], "data_count": 1}),
    ))
}

/// POST /zhugeleida/admin/product/add/{o_id}: spec §9.4 "Create". New: a personal product
/// (`product_type` 2) names its owner with `uid`, a radar user of the company.
#[tracing::instrument(skip_all)]
pub async fn add(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let company = caller.target_company(&state, &p).await?;
    let mut f = Form::new(&p);
    let name = f.text("name", 128);
    let price = f.opt_text("price", 64).unwrap_or_default();
    let reason = f.opt_text("reason", 1024).unwrap_or_default();
    let content = f.opt_json_object("content").unwrap_or_else(|| json!({}));
    let product_type = f.choice("product_type", &[1, 2]);
    let uid = if product_type == 2 {
        Some(f.int("uid"))
    } else {
        None
    };
    f.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    if let Some(uid) = uid {
        match store::admin_radar_user::company_of(&db, uid).await? {
            None => return Err(FormErrors::single("uid", "用户不存在", "invalid").in_msg(301)),
            Some(c) if c != company => return Err(illegal()),
            Some(_) => {}
        }
    }
    if store::admin_product::name_taken(&db, company, &name, None).await? {
        return Err(name_taken());
    }
    let new = NewProduct {
        company_id: company,
        user_id: uid,
        name: &name,
        price: &price,
        reason: &reason,
        content: &content,
    };
    match store::admin_product::insert(&db, &new).await {
        Ok(id) => Ok(Envelope::ok_data("添加成功", json!({"product_id": id}))),
        Err(e) if unique_violation(&e) => Err(name_taken()),
        Err(e) => Err(e.into()),
    }
}

/// POST /zhugeleida/admin/product/update/{id}: spec §9.4 "Update" (answers `'添加成功'`, sic).
#[tracing::instrument(skip_all)]
pub async fn update(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let id = path_id(&id, "id")?;
    let mut f = Form::new(&p);
    let name = f.text("name", 128);
    let price = f.opt_text("price", 64);
    let reason = f.opt_text("reason", 1024);
    let content = f.opt_json_object("content");
    f.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    let company = store::admin_product::company_of(&db, id).await?;
    let company = caller.owns(&state, &p, company, product_missing).await?;
    if store::admin_product::name_taken(&db, company, &name, Some(id)).await? {
        return Err(name_taken());
    }
    let edit = ProductEdit {
        name: &name,
        price: price.as_deref(),
        reason: reason.as_deref(),
        content: content.as_ref(),
    };
    match store::admin_product::update(&db, id, &edit).await {
        Ok(()) => Ok(Envelope::ok("添加成功")),
        Err(e) if unique_violation(&e) => Err(name_taken()),
        Err(e) => Err(e.into()),
    }
}

/// POST /zhugeleida/admin/product/delete/{o_id}: spec §9.4 "Delete" of `ids_list`, all or none.
#[tracing::instrument(skip_all)]
pub async fn delete(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let company = caller.target_company(&state, &p).await?;
    let mut f = Form::new(&p);
    let ids = f.ids("ids_list");
    f.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    deleted(
        store::admin_product::delete(&db, company, &ids).await?,
        || ApiError::code(301, "产品不存在"),
    )
}

/// POST /zhugeleida/admin/product/change_status/{o_id}: spec §9.4 "Status" of `ids_list`, all or
/// none; answers with the first id.
#[tracing::instrument(skip_all)]
pub async fn change_status(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let company = caller.target_company(&state, &p).await?;
    let mut f = Form::new(&p);
    let ids = f.ids("ids_list");
    let status = f.choice("status", &[1, 2, 3]);
    f.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    if !store::admin_product::set_status(&db, company, &ids, status).await? {
        return Err(product_missing());
    }
    let data =
        json!({"product_id": ids.first(), "status": status_label(status), "status_code": status});
    Ok(Envelope::ok_data("修改状态成功", data))
}

/// POST /zhugeleida/admin/product/recommend_index/{id}: spec §9.4 "Order" (0–10).
#[tracing::instrument(skip_all)]
pub async fn recommend_index(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let id = path_id(&id, "id")?;
    let mut f = Form::new(&p);
    let index = f.bounded("recommend_index", 0, 10);
    f.finish().map_err(|e| e.in_data(303, "验证未通过"))?;
    let db = state.db.get().await?;
    let company = store::admin_product::company_of(&db, id).await?;
    caller.owns(&state, &p, company, product_missing).await?;
    store::admin_product::set_recommend(&db, id, index).await?;
    Ok(Envelope::ok("修改成功"))
}
