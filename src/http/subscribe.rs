//! Subscribe-message grants (issue 13; README "WeChat setup"): the mini-program calls
//! `wx.requestSubscribeMessage` on a tap and reports the answer here; each "accept" is one
//! one-time grant, used up by one offline notification (`chat::notify`).

use actix_web::web;
use serde_json::json;

use crate::auth::Family;
use crate::error::{ApiError, Envelope};
use crate::http::auth::verify;
use crate::http::params::Params;
use crate::state::AppState;
use crate::store::{self, subscribe};

/// Unused grants kept per customer and template; more "accept"s are answered but not stored (a
/// customer cannot grow the table without bound, and nobody needs 50 pending notifications).
const MAX_UNUSED_GRANTS: i64 = 50;

/// POST /zhugeleida/xiaochengxu/subscribe/grant/{id}: "订阅消息 - 记录授权". Form `template_id`
/// (required), `status` (`accept` default, `reject`, `ban`, `filter`: the value
/// `wx.requestSubscribeMessage` returned for that template).
#[tracing::instrument(skip_all)]
pub async fn grant(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let cid = verify(&state, Family::Customer, &p).await?;
    let mut v = p.validate();
    let template = v.text("template_id", 128);
    let status = v.opt_text("status", 16);
    let status = status.as_deref().unwrap_or("accept");
    if !["accept", "reject", "ban", "filter"].contains(&status) {
        v.error("status", "Select a valid choice.");
    }
    v.finish().map_err(|e| e.in_msg(301))?;

    let db = state.db.get().await?;
    let company = store::customer::get(&db, cid)
        .await?
        .and_then(|c| c.company_id);
    let configured = match company {
        Some(company) => subscribe::template_of_company(&db, company).await?,
        None => None,
    };
    match configured {
        None => return Err(ApiError::code(301, "未配置订阅消息模板")),
        Some(t) if t != template => return Err(ApiError::code(301, "模板ID不匹配")),
        Some(_) => {}
    }
    let msg = match status {
        "accept" => {
            if subscribe::unused(&db, cid, &template).await? < MAX_UNUSED_GRANTS {
                subscribe::add_grant(&db, cid, &template).await?;
            }
            "订阅成功"
        }
        // Switched off in the user's settings: WeChat would answer 43101 to every send.
        "ban" => {
            subscribe::invalidate(&db, cid, &template).await?;
            "未订阅"
        }
        _ => "未订阅",
    };
    let grants = subscribe::unused(&db, cid, &template).await?;
    Ok(Envelope::ok_data(
        msg,
        json!({"template_id": template, "grants": grants}),
    ))
}
