//! Mini-program login family, M1–M4 (spec §5.1).

use actix_web::web;
use secrecy::SecretString;
use serde_json::json;

use crate::action::{self, Action};
use crate::auth::new_token;
use crate::auth::Family;
use crate::chat::{message, service};
use crate::error::{ApiError, Envelope, FormErrors};
use crate::http::auth::verify;
use crate::http::params::Params;
use crate::ids::{CustomerId, RadarUserId};
use crate::state::AppState;
use crate::store::{self, customer::LoginIdentity};

/// How long a repeated js_code waits for the first request's answer.
const REPEAT_WAIT_STEPS: u32 = 50;

/// GET /zhugeleida/xiaochengxu/login: spec M1 "登录认证" (unsigned).
#[tracing::instrument(skip_all)]
pub async fn login(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let mut v = p.validate();
    let code = v.text("code", 128);
    let user_type = v.int("user_type");
    v.opt_int("source");
    let uid = v.opt_int("uid");
    let company_id = v.opt_int("company_id");
    v.finish().map_err(|e| e.in_msg(301))?;
    let user_type = i16::try_from(user_type).map_err(|_| invalid_user_type())?;
    let db = state.db.get().await?;
    if !store::login_code::claim(&db, &code).await? {
        return replay_first_answer(&state, &code).await;
    }
    drop(db);
    let answer = match login_first(&state, &p, &code, user_type, uid, company_id).await {
        Ok(env) => env,
        Err(ApiError::Internal(e)) => return Err(ApiError::Internal(e)),
        Err(other) => other.envelope(),
    };
    let db = state.db.get().await?;
    let stored = serde_json::to_value(&answer).map_err(|e| ApiError::Internal(e.into()))?;
    store::login_code::save_response(&db, &code, &stored).await?;
    Ok(answer)
}

fn invalid_user_type() -> ApiError {
    FormErrors::single("user_type", FormErrors::NOT_INT, "invalid").in_msg(301)
}

/// WeChat may fire the same code twice: answer with the first request's payload (spec M1 step 2).
async fn replay_first_answer(state: &AppState, code: &str) -> Result<Envelope, ApiError> {
    for _ in 0..REPEAT_WAIT_STEPS {
        let db = state.db.get().await?;
        if let Some(resp) = store::login_code::response(&db, code).await? {
            return serde_json::from_value(resp).map_err(|e| ApiError::Internal(e.into()));
        }
        drop(db);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err(ApiError::code(301, "登录失败"))
}

/// Steps 3–7 of M1 for a code seen for the first time.
async fn login_first(
    state: &AppState,
    p: &Params,
    code: &str,
    user_type: i16,
    uid: Option<i64>,
    company_id: Option<i64>,
) -> Result<Envelope, ApiError> {
    let is_case_app = p.get("xcx_type") == Some("case_type");
    let defaulted = company_id.is_none();
    let company_id = company_id.unwrap_or(if is_case_app {
        state.settings.login.default_case_company_id
    } else {
        state.settings.login.default_company_id
    });
    let db = state.db.get().await?;
    let app = store::company::login_app(&db, company_id)
        .await?
        .ok_or_else(|| ApiError::not_found("公司不存在"))?;
    let session = code2session(state, &app, code).await?;
    let secret = session.openid.clone();
    let (cid, token) = store::customer::upsert_login(
        &db,
        &LoginIdentity {
            company_id,
            openid: &session.openid,
            user_type,
            session_key: secrecy::ExposeSecret::expose_secret(&session.session_key),
            unionid: session.unionid.as_deref(),
            new_token: &new_token(&secret),
        },
    )
    .await?;
    let uid = match uid {
        Some(uid) => uid,
        None => resolve_radar_user(&db, cid, company_id).await?,
    };
    let user_version = p.get("user_version");
    let is_release = !defaulted && user_version == app.version_num.as_deref();
    Ok(Envelope::ok_data(
        "返回成功",
        json!({"cid": cid, "token": token, "uid": uid, "company_id": company_id,
               "is_release_version_num": is_release}),
    ))
}

/// code2session with the company app's direct-mode credentials; WeChat errors → `'登录失败'`.
async fn code2session(
    state: &AppState,
    app: &store::company::LoginApp,
    code: &str,
) -> Result<crate::wechat::Session, ApiError> {
    let appid = app.appid.clone().unwrap_or_default();
    let secret = SecretString::from(app.app_secret.clone().unwrap_or_default());
    state
        .wechat
        .code2session(&appid, &secret, code)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, company = app.company_id, "code2session failed");
            crate::telemetry::metrics::login_failed("customer");
            ApiError::code(301, "登录失败")
        })
}

/// The customer's most recent radar user in the company, else the least busy enabled one.
async fn resolve_radar_user(
    db: &deadpool_postgres::Client,
    cid: i64,
    company: i64,
) -> Result<i64, ApiError> {
    if let Some(uid) = store::binding::latest_in_company(db, cid, company).await? {
        return Ok(uid);
    }
    store::company::least_bound_user(db, company)
        .await?
        .ok_or_else(|| ApiError::not_found("没有可用的雷达用户"))
}

/// GET /zhugeleida/xiaochengxu/login/binding: spec M2 "绑定-客户与用户的关系".
#[tracing::instrument(skip_all)]
pub async fn binding(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let cid = verify(&state, Family::Customer, &p).await?;
    let mut v = p.validate();
    let uid = v.int("uid");
    let source = match p.get("source").map(str::trim) {
        None | Some("") | Some("undefined") => Some(1),
        Some(_) => v.opt_int("source"),
    };
    let pid = v.opt_int("pid");
    v.finish().map_err(|e| e.in_msg(301))?;
    let source = source
        .and_then(|s| i16::try_from(s).ok())
        .filter(|s| (1..=5).contains(s));
    let source = source.ok_or_else(|| {
        FormErrors::single("source", "Select a valid choice.", "invalid_choice").in_msg(301)
    })?;

    let mut db = state.db.get().await?;
    let radar = store::company::of_radar_user(&db, uid)
        .await?
        .ok_or_else(|| ApiError::code(301, "用户不存在"))?;
    let tx = db.transaction().await?;
    if !store::customer::lock(&tx, cid).await? {
        return Err(ApiError::code(301, "用户不存在"));
    }
    let unique_in = radar.is_customer_unique.then_some(radar.company_id);
    if store::binding::exists(&tx, uid, cid, unique_in).await? {
        return Err(ApiError::not_found("关系存在"));
    }
    store::binding::insert(&tx, uid, cid, source, pid).await?;
    store::customer::set_company(&tx, cid, radar.company_id).await?;
    tx.commit().await?;
    drop(db);
    state.customer_companies.put(cid, radar.company_id);

    let greeting = message::greeting(
        RadarUserId(uid),
        CustomerId(cid),
        &radar.company,
        &radar.username,
    );
    service::send(&state.chat, greeting).await?;
    // The pair's code and poster are made on their first request (crate::poster), not here.
    Ok(Envelope::ok("绑定关系成功"))
}

/// The remark of an authorization, by the `page` that asked for it (spec M3 step 3).
fn authorize_remark(page: Option<i64>) -> &'static str {
    match page {
        Some(1) => "已向您授权访问【名片详情】页面",
        Some(2) => "已向您授权访问【产品列表】页面",
        Some(3) => "已向您授权访问【商品详情】页面",
        Some(4) => "已向您授权访问【公司官网】页面",
        Some(5) => "已向您授权访问【日记首页】页面",
        Some(6) => "已向您授权访问【日记详情】页面",
        _ => "",
    }
}

/// Reads the WeChat `userInfo` fields of send_user_info (M3, M26).
fn read_profile(p: &Params) -> Result<store::customer::Profile, ApiError> {
    let mut v = p.validate();
    let nickname = v.text("nickName", 128);
    let avatar = v.opt_text("avatarUrl", 256);
    let city = v.opt_text("city", 64);
    let province = v.opt_text("province", 64);
    let country = v.opt_text("country", 64);
    let language = v.opt_text("language", 32);
    v.finish().map_err(|e| e.in_msg(301))?;
    Ok(store::customer::Profile {
        nickname,
        avatar,
        city,
        province,
        country,
        language,
    })
}

/// POST /zhugeleida/xiaochengxu/login/send_user_info: spec M3 "授权后发送用户信息入库".
#[tracing::instrument(skip_all)]
pub async fn send_user_info(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let cid = verify(&state, Family::Customer, &p).await?;
    let profile = read_profile(&p)?;
    let mut v = p.validate();
    let uid = v.opt_int("uid");
    let gender = v.opt_int("gender").and_then(|g| i16::try_from(g).ok());
    let page = v.opt_int("page");
    v.finish().map_err(|e| e.in_msg(301))?;

    let mut db = state.db.get().await?;
    let owner = match uid {
        Some(uid) => store::card::owner_for(&db, uid, cid).await?,
        None => None,
    };
    let tx = db.transaction().await?;
    store::customer::update_profile(&tx, cid, &profile).await?;
    if let Some(owner) = &owner {
        store::customer::upsert_sex(&tx, cid, owner.id, gender).await?;
        let remark = authorize_remark(page);
        action::record(
            &tx,
            &*state.notifier,
            Action::Authorize,
            owner.id,
            cid,
            remark,
        )
        .await?;
    }
    tx.commit().await?;
    if let Some(url) = &profile.avatar {
        crate::avatar::spawn_rehost(&state.avatars, cid, url);
    }
    let text = format!("{} 已向您授权登录页面", profile.nickname);
    Ok(Envelope::ok_data("保存成功", json!({"ret_data": text})))
}

/// Whether a formId is a real one (the developer tool sends `the formId is a mock one`).
pub fn form_id_acceptable(form_id: &str) -> bool {
    !form_id.trim().is_empty() && !form_id.contains("formId")
}

/// POST /zhugeleida/xiaochengxu/login/send_form_id: spec M4 "formId 信息入库".
pub async fn send_form_id(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let cid = verify(&state, Family::Customer, &p).await?;
    store_form_id(&state, cid, p.get("formId")).await
}

/// Stores an acceptable formId for `cid` (M4, M25).
pub async fn store_form_id(
    state: &AppState,
    cid: i64,
    form_id: Option<&str>,
) -> Result<Envelope, ApiError> {
    let form_id = form_id.filter(|f| form_id_acceptable(f) && f.chars().count() <= 128);
    let Some(form_id) = form_id else {
        return Err(ApiError::code(301, "formID 不规矩"));
    };
    let db = state.db.get().await?;
    if store::customer::get(&db, cid).await?.is_none() {
        return Err(ApiError::code(301, "formID 不规矩"));
    }
    store::customer::add_form_id(&db, cid, form_id).await?;
    Ok(Envelope::ok("保存成功"))
}

/// Used by test_login: the profile fields only (no profile row, no action).
pub async fn store_profile_only(
    state: &AppState,
    cid: i64,
    p: &Params,
) -> Result<Envelope, ApiError> {
    let db = state.db.get().await?;
    if store::customer::get(&db, cid).await?.is_none() {
        return Err(ApiError::code(301, "用户不存在"));
    }
    let profile = read_profile(p)?;
    store::customer::update_profile(&db, cid, &profile).await?;
    Ok(Envelope::ok("保存成功"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mock_form_ids_from_the_developer_tool_are_refused() {
        assert!(!form_id_acceptable("the formId is a mock one"));
        assert!(!form_id_acceptable("  "));
        assert!(form_id_acceptable("wx1234567890abcdef"));
    }

    #[test]
    fn authorization_remarks_follow_the_page() {
        assert_eq!(authorize_remark(Some(1)), "已向您授权访问【名片详情】页面");
        assert_eq!(authorize_remark(Some(9)), "");
        assert_eq!(authorize_remark(None), "");
    }
}
