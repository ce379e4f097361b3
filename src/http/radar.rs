//! Radar-user (enterprise WeChat) side: its own login (spec §9.3 NEW). Chat endpoints come with the
//! realtime chat core.

use actix_web::{web, HttpRequest};
use chrono::Utc;
use serde_json::json;

use crate::error::{ApiError, Envelope};
use crate::http::login_limit::Attempt;
use crate::http::params::Params;
use crate::password::{self, Check};
use crate::state::AppState;
use crate::store;

/// POST /zhugeleida/qiyeweixin/login: spec §9.3 "Radar login" (unsigned).
#[tracing::instrument(skip_all)]
pub async fn radar_login(
    state: web::Data<AppState>,
    req: HttpRequest,
    p: Params,
) -> Result<Envelope, ApiError> {
    let mut v = p.validate();
    let login_user = v.text("login_user", 64);
    let pass = v.text("password", 128);
    v.finish().map_err(|e| e.in_data(402, "请求异常"))?;
    let mut attempt = Attempt::new(&state, &req, "radar", &login_user);
    attempt.admit(&state).await?;
    let db = state.db.get().await?;
    let account = store::radar_user::by_login(&db, &login_user).await?;
    drop(db);
    // An unknown name is checked against a dummy hash: it costs what a wrong password costs.
    let stored = password::stored_or_dummy(account.as_ref().and_then(|a| a.password.as_deref()));
    // A node too busy to check answers 429 here, before anything is counted.
    let checked = password::verify_off_thread(&pass, stored).await?;
    let (account, upgrade) = match (account, checked) {
        (Some(a), Check::Right) if a.status == 1 => (a, None),
        (Some(a), Check::RightUpgrade(h)) if a.status == 1 => (a, Some(h)),
        _ => {
            crate::telemetry::metrics::login_failed("radar");
            attempt.failed(&state).await?;
            return Err(ApiError::code(401, "账号或密码错误"));
        }
    };
    attempt.succeeded(&state).await?;
    let db = state.db.get().await?;
    if account.account_expired_time.is_some_and(|t| t < Utc::now()) {
        return Err(ApiError::code(403, "账户过期"));
    }
    store::radar_user::touch_login(&db, account.id, upgrade.as_deref()).await?;
    let data = json!({
        "token": account.token,
        "user_id": account.id,
        // New: the console shows who is logged in.
        "username": account.username,
        "position": account.position,
        "company_id": account.company_id,
        "avatar": account.card_avatar.as_deref().unwrap_or(&account.avatar),
        "is_first_login": account.last_login_date.is_none(),
    });
    Ok(Envelope::ok_data("登录成功", data))
}
