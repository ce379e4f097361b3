//! Radar-side chat over HTTP, R1–R5 (spec §7), signed by the radar user.

use std::sync::Arc;

use actix_web::web;
use chrono::Utc;
use serde_json::{json, Value};

use crate::auth::Family;
use crate::chat::event::Channel;
use crate::chat::registry::Interest;
use crate::chat::render::{self, DateStyle};
use crate::chat::service::{self, Draft};
use crate::error::{ApiError, Envelope, FormErrors};
use crate::http::auth::verify;
use crate::http::chat::{fetch_new, send_error, sent_data};
use crate::http::longpoll::fetch_or_wait;
use crate::http::paging::Page;
use crate::http::params::Params;
use crate::ids::{CustomerId, RadarUserId};
use crate::state::AppState;
use crate::store::{
    self,
    chat::{PairInfo, Reader},
};

/// The contact list's field glossary (`note`), as the original sent it.
fn contact_note() -> Value {
    json!({
        "customer_id": "客户ID", "customer_source": "客户来源", "src": "客户头像", "name": "客户名称",
        "dateTime": "最后一条消息时间", "msg": "最后一条消息", "count": "未读消息数", "tags_list": "客户标签",
    })
}

/// GET /zhugeleida/qiyeweixin/contact: spec R1 "conversation list".
pub async fn contact(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let uid = RadarUserId(verify(&state, Family::Radar, &p).await?);
    let mut v = p.validate();
    let page = Page::read(&mut v, 20, false);
    v.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    let limit = page.limit.unwrap_or(20);
    let (contacts, total) = store::chat::contacts(&db, uid, limit, page.offset).await?;
    let ids: Vec<i64> = contacts.iter().map(|c| c.customer_id).collect();
    let tags = store::chat::contact_tags(&db, uid, &ids).await?;
    let badge = store::chat::radar_badge(&db, uid).await?;
    let now = Utc::now();
    let items: Vec<Value> = contacts
        .iter()
        .map(|c| {
            let mut item = render::contact_item(c, now);
            let names: Vec<&str> = tags
                .iter()
                .filter(|(id, _)| *id == c.customer_id)
                .map(|(_, n)| n.as_str())
                .collect();
            item["tags_list"] = json!(names);
            item["crea_date"] = json!(c.last_at.timestamp());
            item
        })
        .collect();
    let data = json!({"ret_data": items, "data_count": total, "unread_msg_num": badge});
    Ok(Envelope::ok_data("", data).with_note(contact_note()))
}

/// GET /zhugeleida/qiyeweixin/contact/query_num: spec R2 "radar badge".
pub async fn contact_query_num(
    state: web::Data<AppState>,
    p: Params,
) -> Result<Envelope, ApiError> {
    let uid = RadarUserId(verify(&state, Family::Radar, &p).await?);
    let db = state.db.get().await?;
    let count = store::chat::radar_badge(&db, uid).await?;
    let company: i64 = store::company::of_radar_user(&db, uid.0)
        .await?
        .map(|c| c.company_id)
        .unwrap_or(0);
    Ok(Envelope::ok_data(
        "查询成功",
        json!({"chatinfo_count": count, "company_id": company}),
    ))
}

/// The signed radar user and the pair with `customer_id` (a customer of the same company).
async fn radar_pair(state: &AppState, p: &Params) -> Result<Arc<PairInfo>, ApiError> {
    let uid = RadarUserId(verify(state, Family::Radar, p).await?);
    let mut v = p.validate();
    let cid = CustomerId(v.int("customer_id"));
    v.finish().map_err(|e| e.in_msg(301))?;
    service::pair(&state.chat, uid, cid)
        .await?
        .ok_or_else(|| FormErrors::single("customer_id", "客户不存在", "invalid").in_msg(301))
}

/// GET /zhugeleida/qiyeweixin/chat: spec R3 "page a conversation" (marks the pair read).
pub async fn chat_page(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let pair = radar_pair(&state, &p).await?;
    let mut v = p.validate();
    let page = Page::read(&mut v, 20, true);
    v.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    let (rows, total) =
        store::chat::page(&db, pair.radar_user, pair.customer, page.limit, page.offset).await?;
    if store::chat::read_all_for_radar(&db, pair.radar_user, pair.customer).await? > 0 {
        service::publish_radar_unread(&state.chat, pair.radar_user);
    }
    let items: Vec<Value> = rows
        .iter()
        .map(|(m, _)| render::radar_item(m, &pair, DateStyle::Iso))
        .collect();
    let msg = if items.is_empty() {
        "没有新消息"
    } else {
        "分页获取-全部聊天消息成功"
    };
    Ok(Envelope::ok_data(
        msg,
        json!({"ret_data": items, "data_count": total, "company_id": pair.company_id}),
    ))
}

/// GET /zhugeleida/qiyeweixin/chat/getmsg/{id}: spec R4 (+ `since_id` resume and `wait` long-poll).
pub async fn get_msg(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let pair = radar_pair(&state, &p).await?;
    let mut v = p.validate();
    let since = v.opt_int("since_id");
    let wait = v
        .opt_int("wait")
        .unwrap_or(0)
        .clamp(0, state.settings.chat.max_wait_secs as i64) as u64;
    v.finish().map_err(|e| e.in_msg(301))?;
    let (uid, cid) = (pair.radar_user, pair.customer);
    let interest = Interest::RadarWait { customer: cid };
    let list = fetch_or_wait(&state.chat, Channel::Radar(uid), interest, wait, || {
        fetch_new(&state, Reader::Radar, uid, cid, since)
    })
    .await?;
    if list.iter().any(|m| m.send_type == 2 && m.unread_for_radar) {
        service::publish_radar_unread(&state.chat, uid);
    }
    let items: Vec<Value> = list
        .iter()
        .map(|m| render::radar_item(m, &pair, DateStyle::Iso))
        .collect();
    let msg = if items.is_empty() {
        "没有得到实时聊天信息"
    } else {
        "实时获取-最新聊天信息成功"
    };
    let count = items.len();
    Ok(Envelope::ok_data(
        msg,
        json!({"ret_data": items, "data_count": count}),
    ))
}

/// POST /zhugeleida/qiyeweixin/chat/send_msg/{id}: spec R5 "radar user sends".
pub async fn send_msg(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let uid = verify(&state, Family::Radar, &p).await?;
    let mut v = p.validate();
    let cid = v.int("customer_id");
    let content = v.text("content", 16 * 1024);
    v.int("send_type");
    let client_msg_id = v.opt_text("client_msg_id", 64);
    let form_user = p
        .form("user_id")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    v.finish().map_err(|e| e.in_msg(301))?;
    if form_user.is_some_and(|u| u != uid.to_string()) {
        return Err(ApiError::code(404, "非法请求"));
    }
    let pair = service::pair(&state.chat, RadarUserId(uid), CustomerId(cid))
        .await?
        .ok_or_else(|| ApiError::not_found("客户不存在"))?;
    let draft = Draft {
        content: Value::String(content),
        client_msg_id: client_msg_id.clone(),
    };
    let sent = service::radar_send(&state.chat, &pair, draft)
        .await
        .map_err(|e| send_error(e, 301, None))?;
    Ok(Envelope::ok_data(
        "发送成功",
        sent_data(&sent.message, client_msg_id.as_deref()),
    ))
}
