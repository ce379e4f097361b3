//! The development `test_login` family, M24–M26 (spec §5.6). Routed only when `login.test_mode`
//! is on; it logs in against the configured test app, never hard-coded credentials.

use actix_web::web;
use serde_json::json;

use crate::auth::new_token;
use crate::error::{ApiError, Envelope};
use crate::http::login::{store_form_id, store_profile_only};
use crate::http::params::Params;
use crate::state::AppState;
use crate::store::{self, customer::LoginIdentity};

/// GET /zhugeleida/xiaochengxu/test_login: spec M24 "登录认证" (test app, unsigned).
pub async fn test_login(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let mut v = p.validate();
    let code = v.text("code", 128);
    v.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    if !store::login_code::claim(&db, &code).await? {
        return Err(ApiError::code(301, "登录失败"));
    }
    let login = &state.settings.login;
    let session = state
        .wechat
        .code2session(&login.test_appid, &login.test_app_secret, &code)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "test_login code2session failed");
            ApiError::code(301, "登录失败")
        })?;
    let (cid, token) = store::customer::upsert_login(
        &db,
        &LoginIdentity {
            company_id: login.default_company_id,
            openid: &session.openid,
            user_type: 2,
            session_key: secrecy::ExposeSecret::expose_secret(&session.session_key),
            unionid: session.unionid.as_deref(),
            new_token: &new_token(&session.openid),
        },
    )
    .await?;
    Ok(Envelope::ok_data(
        "返回成功",
        json!({"cid": cid, "token": token}),
    ))
}

/// The unsigned customer id of the test family.
fn customer_id(p: &Params) -> Result<i64, ApiError> {
    let mut v = p.validate();
    let cid = v.int("user_id");
    v.finish().map_err(|_| ApiError::code(301, "用户不存在"))?;
    Ok(cid)
}

/// POST /zhugeleida/xiaochengxu/test_login/send_form_id: spec M25 (unsigned).
pub async fn test_send_form_id(
    state: web::Data<AppState>,
    p: Params,
) -> Result<Envelope, ApiError> {
    let cid = customer_id(&p)?;
    store_form_id(&state, cid, p.get("formId")).await
}

/// POST /zhugeleida/xiaochengxu/test_login/send_user_info: spec M26 (unsigned, profile only).
pub async fn test_send_user_info(
    state: web::Data<AppState>,
    p: Params,
) -> Result<Envelope, ApiError> {
    let cid = customer_id(&p)?;
    store_profile_only(&state, cid, &p).await
}
