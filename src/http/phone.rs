//! M7: decrypt and store the customer's phone number (spec §5.2 M7, §8).

use actix_web::web;
use serde_json::{json, Value};

use crate::action;
use crate::chat::service;
use crate::error::{ApiError, Envelope};
use crate::http::auth::{verify, Family};
use crate::http::params::Params;
use crate::state::AppState;
use crate::store::{
    self,
    message::{Counter, NewMessage},
};
use crate::{sql, wechat};

/// POST /zhugeleida/xiaochengxu/chat/encrypted_phone_number/{id}: spec M7 "聊天信息 - 获取手机号".
#[tracing::instrument(skip_all)]
pub async fn encrypted_phone_number(
    state: web::Data<AppState>,
    p: Params,
) -> Result<Envelope, ApiError> {
    let cid = verify(&state, Family::Customer, &p).await?;
    let mut v = p.validate();
    let uid = v.int("u_id");
    let encrypted = v.text("encryptedData", 8192);
    let iv = v.text("iv", 64);
    v.finish().map_err(|e| e.in_msg(301))?;
    let decrypt_only = p.query("type") == Some("shopping");

    let pair = service::pair(&state, uid, cid)
        .await?
        .ok_or_else(|| ApiError::not_found("用户不存在"))?;
    let db = state.db.get().await?;
    let appid = store::company::of_radar_user(&db, uid)
        .await?
        .and_then(|c| c.appid)
        .unwrap_or_default();
    let session_key = store::customer::get(&db, cid)
        .await?
        .and_then(|c| c.session_key)
        .unwrap_or_default();
    let decrypted =
        wechat::decrypt_user_data(&session_key, &iv, &encrypted, &appid).map_err(|e| {
            // Never log the key, IV, ciphertext or plaintext: the cause's kind only.
            tracing::info!(cause = ?e, customer = cid, "phone decryption failed");
            ApiError::code(250, "解密报错")
        })?;
    let Some(phone) = decrypted
        .get("phoneNumber")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return Ok(Envelope::ok("获取失败"));
    };
    if phone.chars().count() > 20 {
        return Err(ApiError::code(250, "解密报错"));
    }
    if !decrypt_only {
        let stmt = db.prepare_cached(sql!("customer/set_phone")).await?;
        db.execute(&stmt, &[&cid, &phone]).await?;
        if store::message::count_pair(&db, uid, cid).await? <= 1 {
            echo_phone(&state, uid, cid, &phone).await?;
            action::notify_chat(&db, &*state.notifier, pair.radar_user, cid).await?;
        }
    }
    Ok(Envelope::ok_data("获取成功", json!({"phoneNumber": phone})))
}

/// The "my phone number is …" message, unread for both sides so it reaches every socket.
async fn echo_phone(state: &AppState, uid: i64, cid: i64, phone: &str) -> Result<(), ApiError> {
    let message = NewMessage {
        radar_user: uid,
        customer: cid,
        send_type: 2,
        content: json!({"info_type": 1, "msg": format!("我的手机号是: {phone}")}),
        unread_for_customer: true,
        unread_for_radar: true,
        client_msg_id: None,
        article_id: None,
        counter: Counter::CustomerMessage,
    };
    service::send(state, message).await?;
    Ok(())
}
