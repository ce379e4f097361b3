//! The card (名片) family, M10–M18 (spec §5.3), signed by the customer.

use actix_web::web;
use serde_json::{json, Value};

use crate::action::{self, Action};
use crate::auth::Family;
use crate::error::{ApiError, Envelope};
use crate::http::auth::verify;
use crate::http::params::Params;
use crate::state::AppState;
use crate::store::{self, card::CardOwner};
use crate::time;

/// The card's owner `uid` and the signed customer, in the order every callee takes them
/// (`card_owner`, `action::record`), with the `'请求异常'` answer on bad ids.
async fn card_pair(state: &AppState, p: &Params) -> Result<(i64, i64), ApiError> {
    let cid = verify(state, Family::Customer, p).await?;
    let mut v = p.validate();
    let uid = v.int("uid");
    v.finish().map_err(|e| e.in_data(402, "请求异常"))?;
    Ok((uid, cid))
}

/// The card owner `uid` if it is in the customer's company, else `{code:302, msg:'用户不存在'}`.
pub async fn card_owner(state: &AppState, uid: i64, cid: i64) -> Result<CardOwner, ApiError> {
    let db = state.db.get().await?;
    store::card::owner_for(&db, uid, cid)
        .await?
        .ok_or_else(|| ApiError::not_found("用户不存在"))
}

/// `mingpian_phone`, falling back to `wechat_phone`.
pub fn card_phone(mingpian: &Option<String>, wechat: &Option<String>) -> String {
    mingpian
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| wechat.clone())
        .unwrap_or_default()
}

/// GET /zhugeleida/xiaochengxu/mingpian: spec M10 "显示单个用户的信息 并记录【访问名片】日志信息".
#[tracing::instrument(skip_all)]
pub async fn show_card(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let (uid, cid) = card_pair(&state, &p).await?;
    let card = state
        .card_views
        .view(uid, cid)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .ok_or_else(|| ApiError::not_found("用户不存在"))?;
    if let Some(name) = &card.logged_for {
        state.notifier.notify(uid, format!("{name}{}", card.remark));
    }
    let phone = if card.is_show_phone {
        card_phone(&card.mingpian_phone, &card.wechat_phone)
    } else {
        String::new()
    };
    let ret = json!({
        "id": card.id,
        "username": card.memo_name.clone().filter(|m| !m.is_empty()).unwrap_or(card.username.clone()),
        "avatar": card.avatar,
        "mingpian_avatar": card.card_avatar.as_deref().unwrap_or(&card.avatar),
        "company": card.company,
        "address": card.address,
        "position": card.position,
        "email": card.email.clone().unwrap_or_default(),
        "wechat": card.wechat.clone().unwrap_or_default(),
        "mingpian_phone": phone,
        "create_date": time::iso(card.create_date),
        "popularity_num": card.popularity,
        "praise_num": card.praise,
        "forward_num": card.forward,
        "sign_num": card.sign_num,
        "is_praise": card.is_praise,
        "sign": card.sign.clone().unwrap_or_default(),
        "is_sign": card.is_sign,
        "photo": "",
        "tag": card.tags,
    });
    Ok(Envelope::ok_data(
        "查询成功",
        json!({"ret_data": ret, "data_count": 1}),
    ))
}

/// The feed-only card actions of M12, M13, M15 and `save_phone`.
async fn log_card_action(
    state: &AppState,
    p: &Params,
    act: Action,
    remark: &str,
) -> Result<Envelope, ApiError> {
    let (uid, cid) = card_pair(state, p).await?;
    card_owner(state, uid, cid).await?;
    let db = state.db.get().await?;
    if act == Action::ForwardCard {
        store::card::add_forward(&db, uid).await?;
    }
    action::record(&db, &*state.notifier, act, uid, cid, remark).await?;
    Ok(Envelope::ok("记录成功"))
}

/// GET /zhugeleida/xiaochengxu/mingpian/calling: spec M12 "记录拨打手机的动作".
pub async fn calling(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    log_card_action(&state, &p, Action::Calling, "拨打您的手机").await
}

/// GET /zhugeleida/xiaochengxu/mingpian/save_wechat: spec M13 "保存了您的微信提示接口".
pub async fn save_wechat(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    log_card_action(
        &state,
        &p,
        Action::CopyWechat,
        "复制了您的微信,留意微信新朋友消息",
    )
    .await
}

/// GET /zhugeleida/xiaochengxu/mingpian/forward: spec M15 "记录转发动作".
pub async fn forward(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    log_card_action(
        &state,
        &p,
        Action::ForwardCard,
        "转发了你的名片,你的人脉圈正在裂变",
    )
    .await
}

/// GET /zhugeleida/xiaochengxu/mingpian/save_phone: deprecated "保存电话" action.
pub async fn save_phone(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    log_card_action(&state, &p, Action::SavePhone, "保存了您的电话,可以考虑拜访").await
}

/// GET /zhugeleida/xiaochengxu/mingpian/praise: spec M14 "记录点赞或者取消点赞" (a toggle).
pub async fn praise(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let (uid, cid) = card_pair(&state, &p).await?;
    card_owner(&state, uid, cid).await?;
    let mut db = state.db.get().await?;
    let tx = db.transaction().await?;
    let (praise_num, is_praise) = store::card::toggle_praise(&tx, uid, cid).await?;
    let remark = if is_praise {
        "觉得您非常靠谱"
    } else {
        "取消了给你的靠谱评价"
    };
    action::record(&tx, &*state.notifier, Action::Praise, uid, cid, remark).await?;
    tx.commit().await?;
    let data = json!({"ret_data": {"praise_num": praise_num, "is_praise": is_praise}});
    Ok(Envelope::ok_data("", data))
}

/// GET /zhugeleida/xiaochengxu/mingpian/up_sign: spec M16 "记录点赞签名" (once only).
pub async fn up_sign(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let (uid, cid) = card_pair(&state, &p).await?;
    card_owner(&state, uid, cid).await?;
    let mut db = state.db.get().await?;
    let tx = db.transaction().await?;
    let (sign_num, new) = store::card::like_sign(&tx, uid, cid).await?;
    if new {
        action::record(
            &tx,
            &*state.notifier,
            Action::Praise,
            uid,
            cid,
            "赞了你的个性签名",
        )
        .await?;
    }
    tx.commit().await?;
    let msg = if new {
        "记录日志成功"
    } else {
        "已经点过赞"
    };
    Ok(Envelope::ok_data(
        msg,
        json!({"ret_data": {"sign_num": sign_num, "is_sign": true}}),
    ))
}

/// GET /zhugeleida/xiaochengxu/mingpian/all: spec M11 "显示所有的企业微信用户".
pub async fn all_cards(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let cid = verify(&state, Family::Customer, &p).await?;
    let mut v = p.validate();
    v.opt_int("uid");
    v.finish().map_err(|e| e.in_data(402, "请求异常"))?;
    let db = state.db.get().await?;
    let rows = store::card::bound_cards(&db, cid).await?;
    let list: Vec<Value> = rows
        .iter()
        .map(|b| {
            json!({
                "id": b.id,
                "username": b.username,
                "source": source_label(b.source),
                "avatar": b.avatar,
                "company": b.company,
                "position": b.position,
                "email": b.email.clone().unwrap_or_default(),
                "mingpian_phone": b.mingpian_phone.clone().unwrap_or_default(),
                "create_date": time::iso(b.create_date),
            })
        })
        .collect();
    let count = list.len();
    Ok(Envelope::ok_data(
        "查询成功",
        json!({"ret_data": list, "data_count": count}),
    ))
}

/// Binding source labels (spec §3.3).
pub fn source_label(source: i16) -> &'static str {
    match source {
        1 => "扫码",
        2 => "转发",
        3 => "搜索",
        4 => "公众号文章",
        5 => "公众号视频",
        _ => "",
    }
}

/// GET /zhugeleida/xiaochengxu/mingpian/create_poster: spec M17 "生成海报" (data for the client).
pub async fn create_poster(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let (uid, cid) = card_pair(&state, &p).await?;
    let owner = card_owner(&state, uid, cid).await?;
    let db = state.db.get().await?;
    let binding = store::card::pair_binding(&db, uid, cid).await?;
    // New: a bound pair always has its own code, made on its first request (crate::poster).
    let qr = match binding {
        Some((Some(pair_code), _)) => pair_code,
        Some((None, _)) => crate::poster::code_path(uid, cid),
        None => String::new(),
    };
    Ok(Envelope::ok_data(
        "请求成功",
        json!({
            "user_id": owner.id,
            "user_avatar": owner.card_avatar(),
            "username": owner.username,
            "position": owner.position,
            "mingpian_phone": owner.mingpian_phone.clone().unwrap_or_default(),
            "company": owner.company,
            "qr_code_url": qr,
        }),
    ))
}

/// GET /zhugeleida/xiaochengxu/mingpian/save_poster: spec M18 "返回海报链接地址".
pub async fn save_poster(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let (uid, cid) = card_pair(&state, &p).await?;
    card_owner(&state, uid, cid).await?;
    let db = state.db.get().await?;
    let (_, poster) = store::card::pair_binding(&db, uid, cid)
        .await?
        .ok_or_else(|| ApiError::not_found("关系不存在"))?;
    let poster = poster.unwrap_or_else(|| crate::poster::poster_path(uid, cid));
    action::record(
        &db,
        &*state.notifier,
        Action::CardView,
        uid,
        cid,
        "保存了您的名片海报",
    )
    .await?;
    drop(db);
    // The poster is drawn on its first request; a stale one is deleted here so it is drawn anew.
    if let Err(e) = crate::poster::drop_if_stale(&state.posters, uid, cid).await {
        tracing::warn!(
            error = format!("{e:#}"),
            uid,
            cid,
            "poster staleness check failed"
        );
    }
    Ok(Envelope::ok_data(
        "请求成功",
        json!({"uid": uid, "poster_url": poster}),
    ))
}
