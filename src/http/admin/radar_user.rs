//! Radar users, the card owners (spec §9.3): list, create (within the company's card quota),
//! update, enable/disable and logical delete. New users start disabled (status 2) and log in at
//! `POST /zhugeleida/qiyeweixin/login` once enabled.

use actix_web::web;
use serde_json::{json, Value};

use super::company::company_missing;
use super::input::{path_id, unique_violation, Form};
use super::record::{deleted, owned};
use super::tenant::{illegal, Caller};
use crate::auth::new_token;
use crate::error::{ApiError, Envelope, FormErrors};
use crate::http::params::Params;
use crate::password;
use crate::state::AppState;
use crate::store::{
    self,
    admin_radar_user::{NewRadarUser, RadarUserEdit, RadarUserFilter, RadarUserRow, Switches},
};
use crate::time;

/// `{code:302, msg:'用户ID不存在'}`.
fn user_missing() -> ApiError {
    ApiError::not_found("用户ID不存在")
}

fn name_taken() -> ApiError {
    FormErrors::single("username", "用户名已存在", "invalid").in_msg(301)
}

fn login_taken() -> ApiError {
    FormErrors::single("login_user", "登录账号已存在", "invalid").in_msg(301)
}

/// The answer to a unique violation of a concurrent duplicate, by the index it hit.
fn duplicate(e: &tokio_postgres::Error) -> ApiError {
    match e.as_db_error().and_then(|d| d.constraint()) {
        Some("radar_users_login_user_key") => login_taken(),
        _ => name_taken(),
    }
}

fn switch_text(on: i16) -> &'static str {
    if on == 1 {
        "启用"
    } else {
        "未启用"
    }
}

fn user_json(u: &RadarUserRow) -> Value {
    json!({
        "id": u.id,
        "userid": u.userid,
        "username": u.username,
        "create_date": time::datetime(u.create_date),
        "last_login_date": time::datetime_or_empty(u.last_login_date),
        "position": u.position,
        "mingpian_phone": u.mingpian_phone.clone().unwrap_or_default(),
        "phone": u.wechat_phone.clone().unwrap_or_default(),
        "avatar": u.card_avatar.as_deref().unwrap_or(&u.avatar),
        "qr_code": u.qr_code.clone().unwrap_or_default(),
        "company": u.company,
        "company_id": u.company_id,
        "department": u.department_names,
        "department_id": u.department_ids,
        "gender": u.gender,
        "status": u.status,
        "status_text": if u.status == 1 { "AI雷达启用" } else { "AI雷达不启用" },
        "boss_status": u.boss_status,
        "boss_status_text": switch_text(u.boss_status),
        "article_admin_status": u.article_admin_status,
        "article_admin_status_text": switch_text(u.article_admin_status),
    })
}

/// GET /zhugeleida/admin/user: spec §9.3 "List" (New: an empty list is 200 with `[]`).
#[tracing::instrument(skip_all)]
pub async fn list(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let company = caller.target_company(&state, &p).await?;
    let mut f = Form::new(&p);
    let page = f.page(10);
    let username = f.opt_text("username", 32);
    let position = f.opt_text("position", 128);
    let department = f.opt_int("department");
    let status = f.opt_choice("status", &[1, 2]);
    f.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    let quota = store::admin_company::quota(&db, company)
        .await?
        .ok_or_else(company_missing)?;
    let filter = RadarUserFilter {
        username: username.as_deref(),
        position: position.as_deref(),
        department,
        status,
        limit: page.limit,
        offset: page.offset,
    };
    let (rows, total) = store::admin_radar_user::list(&db, company, &filter).await?;
    let departments: Vec<Value> = store::admin_radar_user::departments(&db, company)
        .await?
        .into_iter()
        .map(|(id, name, parent)| json!({"id": id, "name": name, "parent_id": parent}))
        .collect();
    Ok(Envelope::ok_data(
        "查询成功",
        json!({
            "ret_data": rows.iter().map(user_json).collect::<Vec<_>>(),
            "mingpian_available_num": quota,
            "data_count": total,
            "department_list": departments,
        }),
    ))
}

/// The card fields shared by create and update.
struct CardFields {
    username: String,
    position: Option<String>,
    wechat_phone: Option<String>,
    mingpian_phone: Option<String>,
    wechat: Option<String>,
    departments: Option<Vec<i64>>,
}

/// Reads the card fields; `phone` (or `wechat_phone`) and `mingpian_phone` must be mobiles.
fn read_card(f: &mut Form<'_>) -> CardFields {
    let username = f.text("username", 32);
    let position = f.opt_text("position", 128);
    let wechat_phone = f.mobile("phone").or_else(|| f.mobile("wechat_phone"));
    CardFields {
        username,
        position,
        wechat_phone,
        mingpian_phone: f.mobile("mingpian_phone"),
        wechat: f.opt_text("wechat", 64),
        departments: f.opt_ids("department_id"),
    }
}

/// Checks that every department is one of `company`'s, else `'非法请求'`.
async fn check_departments(
    db: &impl deadpool_postgres::GenericClient,
    company: i64,
    departments: &Option<Vec<i64>>,
) -> Result<(), ApiError> {
    match departments {
        Some(ids) if !store::admin_radar_user::departments_belong(db, company, ids).await? => {
            Err(illegal())
        }
        _ => Ok(()),
    }
}

/// POST /zhugeleida/admin/user/add/{o_id}: spec §9.3 "Create".
#[tracing::instrument(skip_all)]
pub async fn add(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let mut f = Form::new(&p);
    let card = read_card(&mut f);
    let login_user = f.opt_text("login_user", 64);
    let pass = f.text("password", 128);
    f.finish().map_err(|e| e.in_msg(301))?;
    let company = caller.target_company(&state, &p).await?;
    let login_user = login_user.unwrap_or_else(|| card.username.clone());
    let hash = password::hash_off_thread(&pass).await?;
    let user = NewRadarUser {
        company_id: company,
        username: &card.username,
        login_user: &login_user,
        password_hash: &hash,
        token: &new_token(&pass),
        userid: &chrono::Utc::now().timestamp_micros().to_string(),
        position: card.position.as_deref().unwrap_or_default(),
        wechat_phone: card.wechat_phone.as_deref(),
        mingpian_phone: card.mingpian_phone.as_deref(),
        wechat: card.wechat.as_deref(),
    };
    let mut db = state.db.get().await?;
    let tx = db.transaction().await?;
    // The company row lock makes concurrent creations queue, so the quota cannot be overrun.
    let (quota, used) = store::admin_radar_user::lock_quota(&tx, company)
        .await?
        .ok_or_else(company_missing)?;
    if used >= i64::from(quota) {
        return Err(ApiError::not_found("超过明片最大开通数,请您联系管理员"));
    }
    check_departments(&tx, company, &card.departments).await?;
    if store::admin_radar_user::name_taken(&tx, company, &card.username, None).await? {
        return Err(name_taken());
    }
    if store::admin_radar_user::login_taken(&tx, &login_user).await? {
        return Err(login_taken());
    }
    let id = match store::admin_radar_user::insert(&tx, &user).await {
        Ok(id) => id,
        Err(e) if unique_violation(&e) => return Err(duplicate(&e)),
        Err(e) => return Err(e.into()),
    };
    if let Some(departments) = &card.departments {
        store::admin_radar_user::set_departments(&tx, id, departments).await?;
    }
    tx.commit().await?;
    Ok(Envelope::ok_data("添加用户成功", json!({"id": id})))
}

/// POST /zhugeleida/admin/user/update/{id}: spec §9.3 "Update". Users never move between companies.
#[tracing::instrument(skip_all)]
pub async fn update(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let id = path_id(&id, "id")?;
    let mut f = Form::new(&p);
    let card = read_card(&mut f);
    f.finish().map_err(|e| e.in_msg(301))?;
    let mut db = state.db.get().await?;
    let tx = db.transaction().await?;
    let company = store::admin_radar_user::company_of(&tx, id).await?;
    let company = caller.owns(&state, &p, company, user_missing).await?;
    check_departments(&tx, company, &card.departments).await?;
    if store::admin_radar_user::name_taken(&tx, company, &card.username, Some(id)).await? {
        return Err(name_taken());
    }
    let edit = RadarUserEdit {
        username: &card.username,
        position: card.position.as_deref(),
        wechat_phone: card.wechat_phone.as_deref(),
        mingpian_phone: card.mingpian_phone.as_deref(),
        wechat: card.wechat.as_deref(),
    };
    match store::admin_radar_user::update(&tx, id, &edit).await {
        Ok(true) => {}
        Ok(false) => return Err(user_missing()),
        Err(e) if unique_violation(&e) => return Err(name_taken()),
        Err(e) => return Err(e.into()),
    }
    if let Some(departments) = &card.departments {
        store::admin_radar_user::set_departments(&tx, id, departments).await?;
    }
    tx.commit().await?;
    Ok(Envelope::ok("修改成功"))
}

/// POST /zhugeleida/admin/user/update_status/{id}: spec §9.3 "Enable/disable". An admin may not
/// switch its own card: the radar user of its company with its login name answers `'不能修改自己'`.
/// (The original compared `{id}` with the admin's id, two unrelated tables; literally that would
/// refuse the first admin the first radar user.)
#[tracing::instrument(skip_all)]
pub async fn update_status(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let id = path_id(&id, "id")?;
    let mut f = Form::new(&p);
    let switches = Switches {
        status: f.opt_choice("status", &[1, 2]),
        boss_status: f.opt_choice("boss_status", &[1, 2]),
        article_admin_status: f.opt_choice("article_admin_status", &[1, 2]),
    };
    let named = ["status", "boss_status", "article_admin_status"]
        .iter()
        .any(|k| p.get(k).is_some_and(|v| !v.trim().is_empty()));
    if !named {
        f.int("status");
    }
    f.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    let identity = store::admin_radar_user::identity(&db, id).await?;
    let company = caller
        .owns(&state, &p, identity.as_ref().map(|i| i.0), user_missing)
        .await?;
    if company == caller.company_id
        && identity.and_then(|i| i.1).as_deref() == Some(caller.login_user.as_str())
    {
        return Err(ApiError::code(305, "不能修改自己"));
    }
    if store::admin_radar_user::set_status(&db, id, switches).await? {
        Ok(Envelope::ok("修改成功"))
    } else {
        Err(user_missing())
    }
}

/// POST /zhugeleida/admin/user/delete/{id}: spec §9.3 "Delete" (logical: status 3).
#[tracing::instrument(skip_all)]
pub async fn delete(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let r = owned(
        &state,
        &p,
        &id,
        store::admin_radar_user::company_of,
        user_missing,
    )
    .await?;
    deleted(
        store::admin_radar_user::delete(&r.db, r.id).await?,
        user_missing,
    )
}
