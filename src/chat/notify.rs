//! Offline notification of a customer by WeChat template message (spec §6.5, New rules): after a
//! radar message, wait `delay_secs`; if the customer still has not read it (a live socket inside
//! the chat, or a read over HTTP, would have marked it read), send at most one notification per
//! pair per `min_interval_secs`, using the newest unexpired formId, marked used. Behind the
//! `[template_message] enabled` flag: WeChat retired this API for new apps in 2020.

use std::time::Duration;

use secrecy::SecretString;
use serde_json::json;

use crate::state::AppState;
use crate::wechat::WechatError;
use crate::{sql, time};

/// WeChat's "invalid formId" error: try the next one.
const INVALID_FORM_ID: i64 = 41028;
/// formIds tried for one notification.
const MAX_FORM_IDS: usize = 3;

/// Schedules the check for message `id` from `radar_user` to `customer` (no-op when disabled).
pub fn schedule(state: &AppState, radar_user: i64, customer: i64, id: i64) {
    let settings = &state.settings.template_message;
    if !settings.enabled {
        return;
    }
    let delay = Duration::from_secs(settings.delay_secs);
    let state = state.clone();
    actix_web::rt::spawn(async move {
        tokio::time::sleep(delay).await;
        if let Err(e) = notify(&state, radar_user, customer, id).await {
            tracing::warn!(
                error = format!("{e:#}"),
                radar_user,
                customer,
                "template notification failed"
            );
        }
    });
}

async fn notify(state: &AppState, radar_user: i64, customer: i64, id: i64) -> anyhow::Result<()> {
    let db = state.db.get().await?;
    let still_unread = db
        .query_opt(sql!("notify/still_unread"), &[&id])
        .await?
        .is_some_and(|r| r.get::<_, bool>(0));
    if !still_unread {
        return Ok(());
    }
    let Some(t) = db
        .query_opt(sql!("notify/target"), &[&radar_user, &customer])
        .await?
    else {
        return Ok(());
    };
    let (openid, user_type, username): (String, i16, String) = (t.get(0), t.get(1), t.get(2));
    let (appid, secret, template): (String, Option<String>, Option<String>) =
        (t.get(3), t.get(4), t.get(5));
    let (Some(secret), Some(template)) = (
        secret.filter(|s| !s.is_empty()),
        template.filter(|s| !s.is_empty()),
    ) else {
        return Ok(());
    };
    if user_type != 2 {
        return Ok(());
    }
    let interval = state.settings.template_message.min_interval_secs as f64;
    if db
        .query_opt(
            sql!("notify/claim_pair"),
            &[&radar_user, &customer, &interval],
        )
        .await?
        .is_none()
    {
        return Ok(());
    }
    let page = match t.get::<_, i16>(6) {
        2 => format!("pages/chat/msg?uid={radar_user}&source=template_msg"),
        _ => format!("pages/mingpian/msg?source=template_msg&uid={radar_user}&pid="),
    };
    let token = state
        .access_tokens
        .get(&appid, &SecretString::from(secret))
        .await?;
    for _ in 0..MAX_FORM_IDS {
        let Some(row) = db
            .query_opt(sql!("notify/take_form_id"), &[&customer])
            .await?
        else {
            tracing::info!(
                customer,
                "没有formID: no usable formId for the template notification"
            );
            return Ok(());
        };
        let form_id: String = row.get(0);
        let payload = json!({
            "touser": openid,
            "template_id": template,
            "form_id": form_id,
            "page": page,
            "data": {
                "keyword1": {"value": username},
                "keyword2": {"value": time::datetime(chrono::Utc::now())},
                "keyword3": {"value": "您有未读消息,点击小程序查看哦"},
            },
        });
        match state.wechat.send_template(&token, &payload).await {
            Ok(()) => return Ok(()),
            Err(WechatError::Api {
                errcode: INVALID_FORM_ID,
                ..
            }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
