//! The customer's phone number (spec §5.2 M7, §8): M7 decrypts the legacy `getPhoneNumber` data;
//! its sibling takes the dynamic `code` of today's button and asks WeChat
//! (`wxa/business/getuserphonenumber`, issue 13). Both end in [`store_phone`]: the same storage,
//! the same echo into the chat, the same answer.

use std::sync::Arc;

use actix_web::web;
use secrecy::SecretString;
use serde_json::{json, Value};

use crate::action;
use crate::auth::Family;
use crate::chat::{message, service};
use crate::error::{ApiError, Envelope};
use crate::http::auth::verify;
use crate::http::params::Params;
use crate::ids::{CustomerId, RadarUserId};
use crate::state::AppState;
use crate::store::{self, chat::PairInfo};
use crate::{sql, wechat};

/// POST /zhugeleida/xiaochengxu/chat/encrypted_phone_number/{id}: spec M7 "聊天信息 - 获取手机号".
#[tracing::instrument(skip_all)]
pub async fn encrypted_phone_number(
    state: web::Data<AppState>,
    p: Params,
) -> Result<Envelope, ApiError> {
    let (req, fields) = begin(&state, &p, &[("encryptedData", 8192), ("iv", 64)]).await?;
    let (cid, uid) = (req.cid, req.uid);
    let [encrypted, iv] = &fields[..] else {
        return Err(ApiError::code(250, "解密报错"));
    };
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
        wechat::decrypt_user_data(&session_key, iv, encrypted, &appid).map_err(|e| {
            // Never log the key, IV, ciphertext or plaintext: the cause's kind only.
            tracing::info!(cause = ?e, customer = cid, "phone decryption failed");
            ApiError::code(250, "解密报错")
        })?;
    let phone = decrypted.get("phoneNumber").and_then(Value::as_str);
    store_phone(&state, &req, phone, "解密报错").await
}

/// POST /zhugeleida/xiaochengxu/chat/phone_number_by_code/{id}: "聊天信息 - 手机号快速验证" (issue
/// 13; README "WeChat setup"). Form `u_id`, `code` (from `getPhoneNumber`, single use, 5 minutes).
#[tracing::instrument(skip_all)]
pub async fn phone_number_by_code(
    state: web::Data<AppState>,
    p: Params,
) -> Result<Envelope, ApiError> {
    let (req, mut fields) = begin(&state, &p, &[("code", 256)]).await?;
    let (cid, uid) = (req.cid, req.uid);
    let code = fields.pop().unwrap_or_default();
    let db = state.db.get().await?;
    let company = store::company::of_radar_user(&db, uid).await?;
    let app = match company {
        Some(c) => store::company::login_app(&db, c.company_id).await?,
        None => None,
    };
    drop(db);
    let failed = || ApiError::code(250, "获取手机号失败");
    let (Some(appid), Some(secret)) = (
        app.as_ref()
            .and_then(|a| a.appid.clone())
            .filter(|s| !s.is_empty()),
        app.and_then(|a| a.app_secret).filter(|s| !s.is_empty()),
    ) else {
        tracing::info!(
            customer = cid,
            "phone by code: the company has no app credentials"
        );
        return Err(failed());
    };
    let secret = SecretString::from(secret);
    let info = state
        .access_tokens
        .call(&appid, &secret, |token| {
            let code = &code;
            let state = &state;
            async move { state.wechat.user_phone_number(&token, code).await }
        })
        .await
        .map_err(|e| {
            // The error names a code or kind only, never the code, token or number.
            tracing::info!(error = %e, customer = cid, "phone by code failed");
            failed()
        })?;
    store_phone(&state, &req, info.as_deref(), "获取手机号失败").await
}

/// What both endpoints read first: the signed customer, `u_id`, `type=shopping`, the pair.
struct Request {
    cid: i64,
    uid: i64,
    decrypt_only: bool,
    pair: Arc<PairInfo>,
}

/// Checks the signature and the form (`u_id` plus the required text `fields` with their limits,
/// returned in order): missing or too long → 301; an unknown radar user → 302 `用户不存在`.
async fn begin(
    state: &AppState,
    p: &Params,
    fields: &[(&str, usize)],
) -> Result<(Request, Vec<String>), ApiError> {
    let cid = verify(state, Family::Customer, p).await?;
    let mut v = p.validate();
    let uid = v.int("u_id");
    let values = fields.iter().map(|(k, max)| v.text(k, *max)).collect();
    v.finish().map_err(|e| e.in_msg(301))?;
    let pair = service::pair(&state.chat, RadarUserId(uid), CustomerId(cid))
        .await?
        .ok_or_else(|| ApiError::not_found("用户不存在"))?;
    let decrypt_only = p.query("type") == Some("shopping");
    let req = Request {
        cid,
        uid,
        decrypt_only,
        pair,
    };
    Ok((req, values))
}

/// The end M7 and its sibling share: no number → `获取失败`; an absurd one → `250 <bad>`; else
/// (unless `decrypt_only`) store it, echo it into a chat that holds only the greeting, and tell
/// the radar user.
async fn store_phone(
    state: &AppState,
    req: &Request,
    phone: Option<&str>,
    bad: &'static str,
) -> Result<Envelope, ApiError> {
    let Some(phone) = phone else {
        return Ok(Envelope::ok("获取失败"));
    };
    if phone.chars().count() > 20 {
        return Err(ApiError::code(250, bad));
    }
    let (uid, cid) = (req.pair.radar_user, req.pair.customer);
    if !req.decrypt_only {
        let db = state.db.get().await?;
        let stmt = db.prepare_cached(sql!("customer/set_phone")).await?;
        db.execute(&stmt, &[&cid, &phone]).await?;
        if store::message::count_pair(&db, uid, cid).await? <= 1 {
            echo_phone(state, uid, cid, phone).await?;
            action::notify_chat(&db, &*state.notifier, uid.0, cid.0).await?;
        }
    }
    Ok(Envelope::ok_data("获取成功", json!({"phoneNumber": phone})))
}

/// The "my phone number is …" message, unread for both sides so it reaches every socket.
async fn echo_phone(
    state: &AppState,
    uid: RadarUserId,
    cid: CustomerId,
    phone: &str,
) -> Result<(), ApiError> {
    service::send(&state.chat, message::phone_echo(uid, cid, phone)).await?;
    Ok(())
}
