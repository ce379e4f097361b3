//! Companies (spec §9.2): the list, and the operations on one company. Creating, editing (quota,
//! billing period, name) and deleting are for super-admins; a company's own admins may list it and
//! set its switches and mini-program app.

use actix_web::web;
use chrono::{DateTime, Months, Utc};
use serde_json::{json, Value};

use super::input::{path_id, unique_violation, Form};
use super::record::deleted;
use super::tenant::Caller;
use crate::error::{ApiError, Envelope, FormErrors};
use crate::http::params::Params;
use crate::state::AppState;
use crate::store::{
    self,
    admin_company::{AppForm, CompanyFilter, CompanyForm, CompanyRow, Switch},
};
use crate::time;

/// Orders a client may ask for (anything else falls back to the first).
const ORDERS: [&str; 2] = ["-create_date", "create_date"];

/// `{code:302, msg:'公司不存在'}`.
pub fn company_missing() -> ApiError {
    ApiError::not_found("公司不存在")
}

fn function_type_text(t: i16) -> &'static str {
    match t {
        1 => "名片+文章",
        2 => "名片",
        3 => "文章",
        4 => "案例+文章",
        _ => "",
    }
}

fn hidden_text(h: i16) -> &'static str {
    if h == 2 {
        "隐藏"
    } else {
        "显示"
    }
}

fn company_json(c: &CompanyRow, now: DateTime<Utc>) -> Value {
    let days = |t: Option<DateTime<Utc>>, later: bool| {
        t.map(|t| if later { t - now } else { now - t })
            .map_or(0, |d| d.num_days().max(0))
    };
    json!({
        "company_id": c.id,
        "name": c.name,
        "charging_start_time": c.charging_start_time.map(time::date).unwrap_or_default(),
        "open_length_time": c.open_length_time,
        "mingpian_available_num": c.mingpian_available_num,
        "remarks": c.remarks.clone().unwrap_or_default(),
        "create_date": time::datetime(c.create_date),
        "is_show_jszc": c.is_show_jszc,
        "is_show_jszc_text": if c.is_show_jszc == 2 { "不展示" } else { "展示" },
        "user_count": c.user_count,
        "customer_num": c.customer_num,
        "available_days": days(c.account_expired_time, true),
        "used_days": days(c.charging_start_time, false),
        "account_expired_time": time::datetime_or_empty(c.account_expired_time),
        "product_function_type": c.product_function_type,
        "product_function_type_text": function_type_text(c.product_function_type),
        "xcx_qr_code": c.xcx_qr_code.clone().unwrap_or_default(),
        "admin_is_hidden_id": c.admin_is_hidden,
        "admin_is_hidden": hidden_text(c.admin_is_hidden),
    })
}

/// GET /zhugeleida/admin/company: spec §9.2 "List" (other roles see only their own company).
#[tracing::instrument(skip_all)]
pub async fn list(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let mut f = Form::new(&p);
    let page = f.page(10);
    let name = f.opt_text("name", 128);
    let hidden = f.opt_choice("admin_is_hidden", &[1, 2]);
    f.finish().map_err(|e| e.in_msg(301))?;
    let filter = CompanyFilter {
        name: name.as_deref(),
        admin_is_hidden: hidden,
        only: (!caller.is_super()).then_some(caller.company_id),
        order: p
            .get("order")
            .filter(|o| ORDERS.contains(o))
            .unwrap_or(ORDERS[0]),
        limit: page.limit,
        offset: page.offset,
    };
    let db = state.db.get().await?;
    let (rows, total) = store::admin_company::list(&db, &filter).await?;
    let now = Utc::now();
    let list: Vec<Value> = rows.iter().map(|c| company_json(c, now)).collect();
    let choices = json!([{"id": 1, "name": hidden_text(1)}, {"id": 2, "name": hidden_text(2)}]);
    Ok(Envelope::ok_data(
        "查询成功",
        json!({"ret_data": list, "data_count": total, "admin_is_hidden_choices": choices}),
    ))
}

/// The create/update form; the service ends `open_length_time` calendar months after the start.
fn read_company(p: &Params) -> Result<CompanyForm, ApiError> {
    let mut f = Form::new(p);
    let name = f.text("name", 128);
    let start = f.date("charging_start_time");
    let months = f.bounded("open_length_time", 1, 1200);
    let cards = f.bounded("mingpian_available_num", 0, i16::MAX);
    let function_type = f.choice("product_function_type", &[1, 2, 3, 4]);
    let remarks = f.opt_text("remarks", 1024);
    let xcx_qr_code = f.opt_text("xcx_qr_code", 256);
    let hidden = f.opt_choice("admin_is_hidden", &[1, 2]);
    let period = start.and_then(|d| {
        let end = d.checked_add_months(Months::new(u32::try_from(months).ok()?))?;
        Some((time::local_midnight(d)?, time::local_midnight(end)?))
    });
    if start.is_some() && period.is_none() {
        f.error("charging_start_time", "Enter a valid date.");
    }
    f.finish().map_err(|e| e.in_msg(301))?;
    let (start, end) = period.ok_or_else(|| ApiError::code(301, "Enter a valid date."))?;
    Ok(CompanyForm {
        name,
        charging_start_time: start,
        open_length_time: months,
        account_expired_time: end,
        mingpian_available_num: cards,
        product_function_type: function_type,
        remarks,
        xcx_qr_code,
        admin_is_hidden: hidden,
    })
}

/// POST /zhugeleida/admin/company/add_company/{o_id}: spec §9.2 "Create" (super-admins).
#[tracing::instrument(skip_all)]
pub async fn add_company(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    Caller::signed(&state, &p).await?.require_super()?;
    let form = read_company(&p)?;
    let taken = || FormErrors::single("name", "公司名已存在", "invalid").in_msg(301);
    let db = state.db.get().await?;
    if store::admin_company::name_taken(&db, &form.name, None).await? {
        return Err(taken());
    }
    match store::admin_company::insert(&db, &form).await {
        Ok(id) => Ok(Envelope::ok_data("添加成功", json!({"company_id": id}))),
        Err(e) if unique_violation(&e) => Err(taken()),
        Err(e) => Err(e.into()),
    }
}

/// POST /zhugeleida/admin/company/update_company/{id}: spec §9.2 "Update" (super-admins).
#[tracing::instrument(skip_all)]
pub async fn update_company(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    Caller::signed(&state, &p).await?.require_super()?;
    let id = path_id(&id, "id")?;
    let form = read_company(&p)?;
    let taken = || FormErrors::single("name", "公司名称已经存在", "invalid").in_msg(301);
    let db = state.db.get().await?;
    if !store::admin_company::exists(&db, id).await? {
        return Err(company_missing());
    }
    if store::admin_company::name_taken(&db, &form.name, Some(id)).await? {
        return Err(taken());
    }
    match store::admin_company::update(&db, id, &form).await {
        Ok(true) => Ok(Envelope::ok("修改成功")),
        Ok(false) => Err(company_missing()),
        Err(e) if unique_violation(&e) => Err(taken()),
        Err(e) => Err(e.into()),
    }
}

/// POST /zhugeleida/admin/company/delete/{id}: spec §9.2 "Delete" (New: super-admins, soft delete).
/// Nobody deletes their own company: that would lock them out.
#[tracing::instrument(skip_all)]
pub async fn delete_company(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    caller.require_super()?;
    let id = path_id(&id, "id")?;
    if id == caller.company_id {
        return Err(ApiError::code(305, "不能删除自己的公司"));
    }
    let db = state.db.get().await?;
    deleted(store::admin_company::delete(&db, id).await?, || {
        ApiError::not_found("公司ID不存在")
    })
}

/// The company `{id}` of a switch operation, once the caller may act on it.
async fn switch_target(state: &AppState, p: &Params, raw: &str) -> Result<i64, ApiError> {
    let caller = Caller::signed(state, p).await?;
    let id = path_id(raw, "id")?;
    caller.may_act_on(id)
}

/// Applies a switch and answers `ok_msg`, or `'公司不存在'`.
async fn apply(state: &AppState, id: i64, s: Switch, ok_msg: &str) -> Result<Envelope, ApiError> {
    let db = state.db.get().await?;
    if store::admin_company::set_switch(&db, id, s).await? {
        Ok(Envelope::ok(ok_msg))
    } else {
        Err(company_missing())
    }
}

/// POST /zhugeleida/admin/company/change_shopping_type/{id}: spec §9.2 "Mall/product switch".
#[tracing::instrument(skip_all)]
pub async fn change_shopping_type(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let id = switch_target(&state, &p, &id).await?;
    if p.get("shopping_type").is_none_or(|s| s.trim().is_empty()) {
        return Err(ApiError::code(303, "购物类型不能为空"));
    }
    let mut f = Form::new(&p);
    let t = f.choice("shopping_type", &[1, 2]);
    f.finish().map_err(|e| e.in_msg(301))?;
    apply(&state, id, Switch::ShoppingType(t), "设置成功").await
}

/// POST /zhugeleida/admin/company/is_show_technical_support/{id}: spec §9.2 "Support footer".
#[tracing::instrument(skip_all)]
pub async fn show_technical_support(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let id = switch_target(&state, &p, &id).await?;
    let mut f = Form::new(&p);
    let status = f.choice("status", &[1, 2]);
    f.finish().map_err(|e| e.in_msg(301))?;
    apply(&state, id, Switch::ShowSupport(status), "修改成功").await
}

/// POST /zhugeleida/admin/company/update_customer_unique/{id}: spec §9.2 NEW "Customer uniqueness".
#[tracing::instrument(skip_all)]
pub async fn update_customer_unique(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let id = switch_target(&state, &p, &id).await?;
    let mut f = Form::new(&p);
    let unique = f.choice("is_customer_unique", &[0, 1]);
    f.finish().map_err(|e| e.in_msg(301))?;
    apply(&state, id, Switch::CustomerUnique(unique == 1), "修改成功").await
}

/// POST /zhugeleida/admin/company/update_xcx_app/{id}: spec §9.2 NEW "Mini-program app" (upsert);
/// also the subscribe template and its field mapping (issue 13, README "WeChat setup").
#[tracing::instrument(skip_all)]
pub async fn update_xcx_app(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let id = switch_target(&state, &p, &id).await?;
    let mut f = Form::new(&p);
    let app = AppForm {
        authorization_appid: f.text("authorization_appid", 128),
        app_secret: f.opt_text("app_secret", 256),
        template_id: f.opt_text("template_id", 128),
        version_num: f.opt_text("version_num", 32),
        three_services_type: f.choice("three_services_type", &[1, 2]),
        subscribe_template_id: f.opt_text("subscribe_template_id", 128),
        subscribe_fields: f.opt_json_object("subscribe_fields"),
    };
    if app
        .subscribe_fields
        .as_ref()
        .is_some_and(|m| !crate::wechat::subscribe::valid_fields(m))
    {
        f.error(
            "subscribe_fields",
            "Enter an object of at most 10 template keys mapped to text.",
        );
    }
    f.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    if !store::admin_company::exists(&db, id).await? {
        return Err(company_missing());
    }
    store::admin_company::upsert_app(&db, id, &app).await?;
    Ok(Envelope::ok("保存成功"))
}
