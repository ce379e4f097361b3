//! Mini-program chat over HTTP, M5–M9 (spec §5.2), signed by the customer. `u_id` is the radar user.

use std::sync::Arc;

use actix_web::web;
use serde_json::{json, Value};

use crate::auth::Family;
use crate::chat::event::Channel;
use crate::chat::registry::Interest;
use crate::chat::render::{self, DateStyle};
use crate::chat::service::{self, Draft, SendError};
use crate::error::{ApiError, Envelope, FormErrors};
use crate::http::auth::verify;
use crate::http::longpoll::fetch_or_wait;
use crate::http::paging::Page;
use crate::http::params::Params;
use crate::ids::{CustomerId, RadarUserId};
use crate::state::AppState;
use crate::store::{
    self,
    chat::{PairInfo, Reader},
};
use crate::time;
use crate::wire::ChatMessage;

/// The signed customer and the pair with `u_id`; errors in `code`'s `'请求异常'` shape.
async fn customer_pair(state: &AppState, p: &Params, code: u16) -> Result<Arc<PairInfo>, ApiError> {
    let cid = CustomerId(verify(state, Family::Customer, p).await?);
    let mut v = p.validate();
    let uid = RadarUserId(v.int("u_id"));
    v.finish().map_err(|e| e.in_data(code, "请求异常"))?;
    service::pair(&state.chat, uid, cid).await?.ok_or_else(|| {
        FormErrors::single("u_id", "用户名不存在", "invalid").in_data(code, "请求异常")
    })
}

/// GET /zhugeleida/xiaochengxu/chat: spec M5 "分页获取-所有的聊天信息记录".
pub async fn chat_page(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let pair = customer_pair(&state, &p, 402).await?;
    let mut v = p.validate();
    let page = Page::read(&mut v, 20, true);
    v.finish().map_err(|e| e.in_data(402, "请求异常"))?;
    let db = state.db.get().await?;
    let (rows, total) =
        store::chat::page(&db, pair.radar_user, pair.customer, page.limit, page.offset).await?;
    if store::chat::read_all_for_customer(&db, pair.radar_user, pair.customer).await? > 0 {
        service::publish_read_receipt(&state.chat, pair.radar_user, pair.customer);
    }
    let items: Vec<Value> = rows
        .iter()
        .map(|(m, first)| render::customer_page_item(m, &pair, *first))
        .collect();
    let data = json!({
        "ret_data": items,
        "mingpian_phone": pair.mingpian_phone,
        "wechat": pair.wechat,
        "data_count": total,
        "position": pair.position,
        "user_name": pair.username,
        "user_avatar": pair.card_avatar,
        "customer_headimgurl": pair.headimgurl,
    });
    Ok(Envelope::ok_data("分页获取-全部聊天消息成功", data))
}

/// The committed message's identity, as every send answer carries it.
pub fn sent_data(m: &ChatMessage, client_msg_id: Option<&str>) -> Value {
    json!({"id": m.id, "seq": m.seq, "client_msg_id": client_msg_id, "dateTime": time::datetime(m.create_date)})
}

/// A failed chat send in the legacy envelope: the HTTP edge's mapping (the chat handlers first
/// turn a bad `content` into their form-error shape, `send_error`): a refused content
/// or row is 301 with its reason, a mall link without the mall 303, admission 429, an outage 503.
impl From<SendError> for ApiError {
    fn from(e: SendError) -> Self {
        match e {
            SendError::Invalid(reason) => ApiError::code(301, reason),
            SendError::Refused => ApiError::code(301, SendError::REFUSED),
            SendError::NoMall => ApiError::code(303, SendError::NO_MALL),
            SendError::Busy => ApiError::Busy,
            SendError::Unavailable => ApiError::Unavailable,
            SendError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

/// A failed send in the shape of the chat handlers (M6, R5): a refused `content` or row is a
/// form error on `content` with `code` (in `data` under `text` when given); anything else
/// answers as `ApiError` maps it.
pub fn send_error(e: SendError, code: u16, text: Option<&'static str>) -> ApiError {
    let reason = match e {
        SendError::Invalid(reason) => reason,
        SendError::Refused => SendError::REFUSED.to_owned(),
        other => return other.into(),
    };
    let errors = FormErrors::single("content", &reason, "invalid");
    match text {
        Some(text) => errors.in_data(code, text),
        None => errors.in_msg(code),
    }
}

/// POST /zhugeleida/xiaochengxu/chat/send_msg/{id}: spec M6 "实时聊天-发送消息接口".
pub async fn send_msg(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let pair = customer_pair(&state, &p, 402).await?;
    let mut v = p.validate();
    let content = v.text("content", 16 * 1024);
    v.int("send_type");
    let client_msg_id = v.opt_text("client_msg_id", 64);
    v.finish().map_err(|e| e.in_data(402, "请求异常"))?;
    let draft = Draft {
        content: Value::String(content),
        client_msg_id: client_msg_id.clone(),
    };
    let sent = service::customer_send(&state.chat, &pair, draft)
        .await
        .map_err(|e| send_error(e, 402, Some("请求异常")))?;
    Ok(Envelope::ok_data(
        "send msg successful",
        sent_data(&sent.message, client_msg_id.as_deref()),
    ))
}

/// `since_id` and `wait` of the polling endpoints.
fn poll_args(state: &AppState, p: &Params) -> Result<(Option<i64>, u64), FormErrors> {
    let mut v = p.validate();
    let since = v.opt_int("since_id");
    let wait = v
        .opt_int("wait")
        .unwrap_or(0)
        .clamp(0, state.settings.chat.max_wait_secs as i64) as u64;
    v.finish()?;
    Ok((since, wait))
}

/// Messages after `since` (marked read for `reader`), or the unread ones taken.
pub async fn fetch_new(
    state: &AppState,
    reader: Reader,
    uid: RadarUserId,
    cid: CustomerId,
    since: Option<i64>,
) -> Result<Vec<ChatMessage>, ApiError> {
    let db = state.db.get().await?;
    let Some(since) = since else {
        return Ok(store::chat::take_unread(&db, reader, uid, cid).await?);
    };
    let list = store::chat::since(&db, uid, cid, since, 500).await?;
    // Read up to the newest message fetched (a watermark: everything before it is read too).
    if let Some(upto) = list.iter().map(|m| m.seq).max() {
        match reader {
            Reader::Customer => {
                store::chat::read_customer_upto(&db, uid, cid, upto).await?;
            }
            Reader::Radar => {
                store::chat::read_radar_upto(&db, uid, cid, upto).await?;
            }
        }
    }
    Ok(list)
}

/// GET /zhugeleida/xiaochengxu/chat/getmsg/{id}: spec M8 "实时聊天-获取最新的聊天信息"
/// (+ `since_id` resume and `wait` long-poll).
pub async fn get_msg(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let pair = customer_pair(&state, &p, 402).await?;
    let (since, wait) = poll_args(&state, &p).map_err(|e| e.in_data(402, "请求异常"))?;
    let (uid, cid) = (pair.radar_user, pair.customer);
    let interest = Interest::CustomerWait { radar_user: uid };
    let list = fetch_or_wait(&state.chat, Channel::Customer(cid), interest, wait, || {
        fetch_new(&state, Reader::Customer, uid, cid, since)
    })
    .await?;
    if list
        .iter()
        .any(|m| m.send_type == 1 && m.unread_for_customer)
    {
        service::publish_read_receipt(&state.chat, uid, cid);
    }
    let items: Vec<Value> = list
        .iter()
        .map(|m| render::customer_item(m, &pair, false, DateStyle::Iso))
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

/// GET /zhugeleida/xiaochengxu/chat/query_num/{id}: spec M9 "聊天 - 获取聊天数量".
pub async fn query_num(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let pair = customer_pair(&state, &p, 302).await?;
    let db = state.db.get().await?;
    let count = store::chat::customer_badge(&db, pair.radar_user, pair.customer).await?;
    Ok(Envelope::ok_data(
        "查询成功",
        json!({"chatinfo_count": count}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(code, msg, data)` of the envelope `e` answers with.
    fn answer(e: ApiError) -> (u16, Value, Value) {
        let env = e.envelope();
        (env.code, env.msg, env.data)
    }

    #[test]
    fn a_refused_content_or_row_is_a_form_error_on_content_in_the_handlers_shape() {
        let (code, msg, data) = answer(send_error(
            SendError::Invalid("msg 不能为空".into()),
            402,
            Some("请求异常"),
        ));
        assert_eq!((code, msg), (402, json!("请求异常")));
        assert_eq!(data["content"][0]["message"], "msg 不能为空");
        let (code, msg, _) = answer(send_error(SendError::Refused, 301, None));
        assert_eq!(code, 301);
        assert_eq!(msg["content"][0]["message"], SendError::REFUSED);
    }

    #[test]
    fn other_send_errors_keep_their_own_legacy_codes() {
        let code = |e| answer(send_error(e, 402, Some("请求异常"))).0;
        assert_eq!(code(SendError::NoMall), 303);
        assert_eq!(code(SendError::Busy), 429);
        assert_eq!(code(SendError::Unavailable), 503);
        assert_eq!(code(SendError::Internal(anyhow::anyhow!("x"))), 500);
        let (code, msg, _) = answer(ApiError::from(SendError::Invalid("bad".into())));
        assert_eq!((code, msg), (301, json!("bad")));
    }
}
