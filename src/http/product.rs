//! Products, mall actions and the website: M19–M23 (spec §5.4, §5.5), signed by the customer.
//! `/product/*` and `/mallManage/*` share one catalog (spec M21/M22 New).

use actix_web::web;
use serde_json::{json, Value};

use crate::action::{self, Action};
use crate::auth::Family;
use crate::chat::{message, service};
use crate::error::{ApiError, Envelope, FormErrors};
use crate::http::auth::verify;
use crate::http::card::card_owner;
use crate::http::paging::Page;
use crate::http::params::Params;
use crate::ids::{CustomerId, RadarUserId};
use crate::state::AppState;
use crate::store::{
    self,
    product::{status_label, Product},
};
use crate::time;

/// Orders a client may ask for (anything else falls back to the default).
const ORDERS: [&str; 3] = ["-recommend_index", "-create_date", "create_date"];

fn product_json(p: &Product) -> Value {
    json!({
        "id": p.id,
        "name": p.name,
        "price": p.price,
        "reason": p.reason,
        "publisher_date": time::iso(p.create_date),
        "create_date": time::date(p.create_date),
        "status": status_label(p.status),
        "status_code": p.status,
    })
}

/// The card owner `uid`, the signed customer and `product_id`, validated (ids in the order
/// `card_owner` and `action::record` take them).
async fn product_request(state: &AppState, p: &Params) -> Result<(i64, i64, i64), ApiError> {
    let cid = verify(state, Family::Customer, p).await?;
    let mut v = p.validate();
    let product_id = v.int("product_id");
    let uid = v.int("uid");
    v.finish().map_err(|e| e.in_data(402, "请求异常"))?;
    Ok((uid, cid, product_id))
}

/// GET /zhugeleida/xiaochengxu/product/product_single: spec M19 "产品-查看单个产品".
pub async fn product_single(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let (uid, cid, product_id) = product_request(&state, &p).await?;
    let owner = card_owner(&state, uid, cid).await?;
    let db = state.db.get().await?;
    let Some(product) = store::product::single(&db, product_id, owner.company_id).await? else {
        return Err(product_missing(&db, product_id).await);
    };
    let mut item = product_json(&product);
    item["content"] = product.content.clone();
    item["user_avatar"] = json!(owner.card_avatar());
    item["username"] = json!(owner.username);
    item["position"] = json!(owner.position);
    let remark = format!("正在查看{},尽快把握商机", product.name);
    action::record(
        &db,
        &*state.notifier,
        Action::ProductView,
        uid,
        cid,
        &remark,
    )
    .await?;
    Ok(Envelope::ok_data(
        "查询成功",
        json!({"ret_data": [item], "data_count": 1}),
    ))
}

/// Why M19 found no product in the card owner's company: another company's product answers
/// `{code:302, msg:'产品不存在'}` (spec M19 New), an id that exists nowhere the legacy form error
/// `{code:402, msg:'请求异常', data:{product_id:[产品不存在]}}`.
async fn product_missing(db: &deadpool_postgres::Object, product_id: i64) -> ApiError {
    match store::admin_product::company_of(db, product_id).await {
        Ok(Some(_)) => ApiError::not_found("产品不存在"),
        Ok(None) => {
            FormErrors::single("product_id", "产品不存在", "invalid").in_data(402, "请求异常")
        }
        Err(e) => e.into(),
    }
}

/// GET /zhugeleida/xiaochengxu/product/product_list: spec M20 "产品-查看所有产品".
pub async fn product_list(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let cid = verify(&state, Family::Customer, &p).await?;
    let mut v = p.validate();
    let uid = v.int("uid");
    let page = Page::read(&mut v, 20, false);
    v.finish().map_err(|e| e.in_data(402, "请求异常"))?;
    let order = p
        .get("order")
        .filter(|o| ORDERS.contains(o))
        .unwrap_or(ORDERS[0]);
    let owner = card_owner(&state, uid, cid).await?;
    let db = state.db.get().await?;
    let (rows, total) =
        store::product::list(&db, owner.company_id, uid, order, page.limit, page.offset).await?;
    if rows.is_empty() {
        return Err(ApiError::not_found("产品列表无数据"));
    }
    let list: Vec<Value> = rows
        .iter()
        .map(|p| {
            let mut item = product_json(p);
            item["user_avatar"] = json!(owner.avatar);
            item["content"] = json!({"cover_data": p.content});
            item
        })
        .collect();
    let remark = "正在查看您发布的产品,尽快把握商机";
    action::record(&db, &*state.notifier, Action::ProductView, uid, cid, remark).await?;
    Ok(Envelope::ok_data(
        "查询成功",
        json!({"ret_data": list, "data_count": total}),
    ))
}

/// Which path family a mall action came through (their remarks differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Catalog {
    Product,
    Mall,
}

/// The product of a mall action, in the card owner's company, else `{code:302, msg:'商品不存在'}`.
async fn mall_product(state: &AppState, p: &Params) -> Result<(i64, i64, Product), ApiError> {
    let (uid, cid, product_id) = product_request(state, p).await?;
    let owner = card_owner(state, uid, cid).await?;
    let db = state.db.get().await?;
    let product = store::product::single(&db, product_id, owner.company_id)
        .await?
        .ok_or_else(|| ApiError::not_found("商品不存在"))?;
    Ok((uid, cid, product))
}

/// GET /zhugeleida/xiaochengxu/{mallManage|product}/forward_product: spec M21 "记录转发产品动作".
pub async fn forward_product(
    state: &AppState,
    p: &Params,
    catalog: Catalog,
) -> Result<Envelope, ApiError> {
    let (uid, cid, product) = mall_product(state, p).await?;
    let remark = match catalog {
        Catalog::Product => format!("转发了{}", product.name),
        Catalog::Mall => format!("转发了【{}】", product.name),
    };
    let db = state.db.get().await?;
    action::record(
        &db,
        &*state.notifier,
        Action::ProductView,
        uid,
        cid,
        &remark,
    )
    .await?;
    Ok(Envelope::ok("记录转发产品成功"))
}

/// GET /zhugeleida/xiaochengxu/{mallManage|product}/consult_product: spec M22 "咨询商品".
pub async fn consult_product(
    state: &AppState,
    p: &Params,
    catalog: Catalog,
) -> Result<Envelope, ApiError> {
    let (uid, cid, product) = mall_product(state, p).await?;
    let consult = message::consult(RadarUserId(uid), CustomerId(cid), &product);
    service::send(&state.chat, consult).await?;
    let remark = match catalog {
        Catalog::Product => "向您咨询产品",
        Catalog::Mall => "向您咨询商品",
    };
    let db = state.db.get().await?;
    action::record(
        &db,
        &*state.notifier,
        Action::ConsultProduct,
        uid,
        cid,
        remark,
    )
    .await?;
    Ok(Envelope::ok("咨询产品成功"))
}

/// GET /zhugeleida/xiaochengxu/website: spec M23 "官网展示".
pub async fn website(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let cid = verify(&state, Family::Customer, &p).await?;
    let mut v = p.validate();
    let uid = v.int("uid");
    v.finish().map_err(|e| e.in_data(402, "请求异常"))?;
    let owner = card_owner(&state, uid, cid).await?;
    let db = state.db.get().await?;
    let content = store::product::website(&db, owner.company_id).await?;
    let remark = "查看了您公司的官网,看来TA对您公司感兴趣";
    action::record(&db, &*state.notifier, Action::Website, uid, cid, remark).await?;
    Ok(Envelope::ok_data(
        "",
        json!({"ret_data": content, "data_count": 6}),
    ))
}
