//! Back-office accounts (spec §9.1): admin login, changing one's own password, the admin list and
//! creating admins. Passwords are argon2 hashes; legacy md5 hashes are upgraded at login.

use actix_web::{web, HttpRequest};
use chrono::Utc;
use serde_json::{json, Value};

use super::input::{unique_violation, Form};
use super::tenant::{illegal, Caller};
use crate::auth::new_token;
use crate::error::{ApiError, Envelope, FormErrors};
use crate::http::login_limit::Attempt;
use crate::http::params::Params;
use crate::password::{self, Check};
use crate::state::AppState;
use crate::store::{self, admin_account::NewAccount};
use crate::time;

/// The text of a password that fails the complexity rule (spec §9.1).
const TOO_SIMPLE: &str = "密码复杂度检查未通过,请检查最小长度为八位,包含大小写字母和数字";

/// POST /zhugeleida/admin/login: spec §9.1 "Admin login" (unsigned).
#[tracing::instrument(skip_all)]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    p: Params,
) -> Result<Envelope, ApiError> {
    let mut f = Form::new(&p);
    let login_user = f.text("username", 32);
    let pass = f.text("password", 128);
    f.finish().map_err(|e| e.in_data(402, "请求异常"))?;
    let mut attempt = Attempt::new(&state, &req, "admin", &login_user);
    attempt.admit(&state).await?;
    let db = state.db.get().await?;
    let account = store::admin_account::by_login(&db, &login_user).await?;
    drop(db);
    // An unknown name is checked against a dummy hash: it costs what a wrong password costs.
    let stored = password::stored_or_dummy(account.as_ref().map(|a| a.password.as_str()));
    // A node too busy to check answers 429 here, before anything is counted.
    let checked = password::verify_off_thread(&pass, stored).await?;
    // A disabled admin or one of a deleted company cannot log in (the original's 306 is unreachable).
    let live = |a: &store::admin_account::LoginAdmin| a.status == 1 && a.company_status != 3;
    let (account, upgrade) = match (account, checked) {
        (Some(a), Check::Right) if live(&a) => (a, None),
        (Some(a), Check::RightUpgrade(h)) if live(&a) => (a, Some(h)),
        _ => {
            crate::telemetry::metrics::login_failed("admin");
            attempt.failed(&state).await?;
            return Err(ApiError::code(401, "账号或密码错误"));
        }
    };
    attempt.succeeded(&state).await?;
    let db = state.db.get().await?;
    if account.account_expired_time.is_some_and(|t| t < Utc::now()) {
        return Err(ApiError::code(403, "账户过期"));
    }
    let token =
        store::admin_account::touch_login(&db, account.id, upgrade.as_deref(), &new_token(&pass))
            .await?;
    let data = json!({
        "token": token,
        "user_id": account.id,
        "username": account.username,
        "set_avatar": account.avatar,
        "avatar": account.avatar,
        "company_name": account.company_name,
        "company_id": account.company_id,
        "role_id": account.role_id,
        "role_name": account.role_name,
        "last_login_date": time::datetime_or_empty(account.last_login_date),
        "is_reset_password": account.is_reset_password,
        "weChatQrCode": account.wechat_qr_code.unwrap_or_default(),
        "gzh_notice_qrcode": "",
    });
    Ok(Envelope::ok_data("登录成功", data))
}

/// Whether a password has at least 8 characters with an upper-case letter, a lower-case letter and
/// a digit.
fn complex_enough(s: &str) -> bool {
    s.chars().count() >= 8
        && s.chars().any(|c| c.is_ascii_uppercase())
        && s.chars().any(|c| c.is_ascii_lowercase())
        && s.chars().any(|c| c.is_ascii_digit())
}

/// POST /zhugeleida/admin/modify_password: spec §9.1 "Change own password" (New: signed, self only).
#[tracing::instrument(skip_all)]
pub async fn modify_password(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let mut f = Form::new(&p);
    let password1 = f.text("password1", 128);
    let password2 = f.text("password2", 128);
    f.finish().map_err(|e| e.in_msg(402))?;
    if password1 != password2 {
        return Err(FormErrors::single("password2", "两次密码输入不一致", "invalid").in_msg(402));
    }
    if !complex_enough(&password2) {
        return Err(FormErrors::single("password2", TOO_SIMPLE, "invalid").in_msg(402));
    }
    let hash = password::hash_off_thread(&password2).await?;
    let db = state.db.get().await?;
    store::admin_account::set_password(&db, caller.id, &hash).await?;
    Ok(Envelope::ok("修改密码成功"))
}

/// GET /zhugeleida/admin/admin_userprofile: spec §9.1 "List admins" of the caller's company (a
/// super-admin may name another with `company_id`).
#[tracing::instrument(skip_all)]
pub async fn list_admins(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let company = caller.target_company(&state, &p).await?;
    let mut f = Form::new(&p);
    let page = f.page(10);
    f.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    let (rows, total) = store::admin_account::list(&db, company, page.limit, page.offset).await?;
    let list: Vec<Value> = rows
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "login_user": a.login_user,
                "username": a.username,
                "position": a.position.clone().unwrap_or_default(),
                "avatar": a.avatar,
                "status": a.status,
                "status_text": if a.status == 1 { "启用" } else { "未启用" },
                "role_id": a.role_id,
                "role_name": a.role_name,
                "company_id": a.company_id,
                "company_name": a.company_name,
                "is_reset_password": a.is_reset_password,
                "create_date": time::datetime(a.create_date),
                "last_login_date": time::datetime_or_empty(a.last_login_date),
            })
        })
        .collect();
    Ok(Envelope::ok_data(
        "查询成功",
        json!({"ret_data": list, "data_count": total}),
    ))
}

/// POST /zhugeleida/admin/admin_userprofile/add/{o_id}: spec §9.1 "Create admin". Nobody may
/// create an account more powerful than their own.
#[tracing::instrument(skip_all)]
pub async fn add_admin(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let mut f = Form::new(&p);
    let login_user = f.text("login_user", 32);
    let pass = f.text("password", 128);
    let role_id = i64::from(f.choice("role_id", &[1, 2, 3]));
    let username = f.opt_text("username", 32);
    let position = f.opt_text("position", 128);
    f.finish().map_err(|e| e.in_msg(301))?;
    let company = caller.target_company(&state, &p).await?;
    if role_id < caller.role_id {
        return Err(illegal());
    }
    let taken = || FormErrors::single("login_user", "用户名已存在", "invalid").in_msg(301);
    let db = state.db.get().await?;
    if !store::admin_company::exists(&db, company).await? {
        return Err(FormErrors::single("company_id", "公司不存在", "invalid").in_msg(301));
    }
    if store::admin_account::login_taken(&db, &login_user).await? {
        return Err(taken());
    }
    let hash = password::hash_off_thread(&pass).await?;
    let account = NewAccount {
        login_user: &login_user,
        username: username.as_deref().unwrap_or(&login_user),
        password_hash: &hash,
        company_id: company,
        role_id,
        token: &new_token(&pass),
        position: position.as_deref(),
    };
    match store::admin_account::insert(&db, &account).await {
        Ok(id) => Ok(Envelope::ok_data("添加成功", json!({"id": id}))),
        Err(e) if unique_violation(&e) => Err(taken()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_need_eight_characters_with_upper_lower_and_digit() {
        assert!(complex_enough("Abcdefg1"));
        assert!(!complex_enough("Abcdef1"));
        assert!(!complex_enough("abcdefg1"));
        assert!(!complex_enough("ABCDEFG1"));
        assert!(!complex_enough("Abcdefgh"));
    }
}
