//! Radar-side endpoints the legacy document does not list but a chat console needs (New), signed
//! by the radar user like the rest of `/zhugeleida/qiyeweixin`:
//! - `customer/info` — the profile beside a chat (name, avatar, phone if known, tags, binding);
//! - `product/product_list` — the products on the radar user's card, to send as product cards.
//!
//! Both only reach customers and products of the radar user's own company.

use actix_web::web;
use serde_json::{json, Value};

use crate::auth::Family;
use crate::chat::render::customer_source_text;
use crate::error::{ApiError, Envelope, FormErrors};
use crate::http::auth::verify;
use crate::http::card::source_label;
use crate::http::paging::Page;
use crate::http::params::Params;
use crate::ids::RadarUserId;
use crate::state::AppState;
use crate::store::{self, customer::RadarView, product::status_label};
use crate::time;

/// GET /zhugeleida/qiyeweixin/customer/info: one customer of the radar user's company (New).
#[tracing::instrument(skip_all)]
pub async fn customer_info(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let uid = verify(&state, Family::Radar, &p).await?;
    let mut v = p.validate();
    let cid = v.int("customer_id");
    v.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    let view = store::customer::radar_view(&db, uid, cid)
        .await?
        .ok_or_else(|| FormErrors::single("customer_id", "客户不存在", "invalid").in_msg(301))?;
    let tags: Vec<String> = store::chat::contact_tags(&db, RadarUserId(uid), &[cid])
        .await?
        .into_iter()
        .map(|(_, name)| name)
        .collect();
    Ok(Envelope::ok_data(
        "查询成功",
        json!({"ret_data": profile(&view, tags)}),
    ))
}

fn profile(v: &RadarView, tags: Vec<String>) -> Value {
    let c = &v.customer;
    let phone = c.phone.clone().or_else(|| v.note_phone.clone());
    json!({
        "customer_id": c.id,
        "name": c.name(),
        "note_name": v.note_name,
        "headimgurl": c.headimgurl,
        "phone": phone.unwrap_or_default(),
        "city": v.city.clone().unwrap_or_default(),
        "province": v.province.clone().unwrap_or_default(),
        "country": v.country.clone().unwrap_or_default(),
        "customer_source": c.user_type,
        "customer_source_text": customer_source_text(c.user_type),
        "tags_list": tags,
        "is_bound": v.source.is_some(),
        "source_text": v.source.map(source_label).unwrap_or_default(),
        "bound_date": time::datetime_or_empty(v.bound_at),
        "last_activity_time": time::datetime_or_empty(v.last_activity_time),
        "company": v.note_company.clone().unwrap_or_default(),
        "position": v.note_position.clone().unwrap_or_default(),
        "mem": v.mem.clone().unwrap_or_default(),
        "create_date": time::datetime(v.create_date),
    })
}

/// GET /zhugeleida/qiyeweixin/product/product_list: the products on the signed radar user's card
/// (company products and their own, not withdrawn), recommended first (New).
#[tracing::instrument(skip_all)]
pub async fn product_list(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let uid = verify(&state, Family::Radar, &p).await?;
    let mut v = p.validate();
    let page = Page::read(&mut v, 20, false);
    v.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    let company = store::company::of_radar_user(&db, uid)
        .await?
        .ok_or(ApiError::BadSignature)?
        .company_id;
    let (list, total) = store::product::list(
        &db,
        company,
        uid,
        "-recommend_index",
        page.limit,
        page.offset,
    )
    .await?;
    let items: Vec<Value> = list
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "name": p.name,
                "price": p.price,
                "reason": p.reason,
                "cover_url": cover_url(&p.content),
                "status": status_label(p.status),
                "status_code": p.status,
            })
        })
        .collect();
    Ok(Envelope::ok_data(
        "查询成功",
        json!({"ret_data": items, "data_count": total}),
    ))
}

/// The first cover picture of a product's `cover_data` (what a product card shows), or `''`.
fn cover_url(cover_data: &Value) -> String {
    cover_data
        .pointer("/0/data/0")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}
