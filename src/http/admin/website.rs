//! The company website and its templates (spec §9.5). The website blob is the client's JSON text,
//! stored as jsonb and shown to customers by M23 as-is. Templates are shared by every company, so
//! only super-admins change them.

use actix_web::web;
use serde_json::{json, Value};

use super::company::company_missing;
use super::input::{path_id, Form};
use super::record::deleted;
use super::tenant::Caller;
use crate::error::{ApiError, Envelope, FormErrors};
use crate::http::params::Params;
use crate::state::AppState;
use crate::store::{self, admin_website::Document};
use crate::time;

fn template_missing() -> ApiError {
    ApiError::not_found("模板不存在")
}

/// GET /zhugeleida/admin/website: spec §9.5 "Show" (`company_id`, default the caller's).
#[tracing::instrument(skip_all)]
pub async fn show(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let company = caller.target_company(&state, &p).await?;
    let db = state.db.get().await?;
    let site = store::admin_website::show(&db, company)
        .await?
        .ok_or_else(company_missing)?;
    let item = json!({
        "id": site.id,
        "name": site.name,
        "website_content": site.content,
        "create_date": time::datetime(site.create_date),
    });
    Ok(Envelope::ok_data(
        "查询成功",
        json!({"ret_data": [item], "data_count": 1}),
    ))
}

/// POST /zhugeleida/admin/website/edit/{company_id}: spec §9.5 "Save".
#[tracing::instrument(skip_all)]
pub async fn edit(
    state: web::Data<AppState>,
    p: Params,
    company: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let company = caller
        .acts_on(&state, path_id(&company, "company_id")?)
        .await?;
    let mut f = Form::new(&p);
    let content = f.json_text("website_content");
    f.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    if store::admin_website::save(&db, company, &content).await? {
        Ok(Envelope::ok("保存成功"))
    } else {
        Err(FormErrors::single("company_id", "公司不存在", "invalid").in_msg(301))
    }
}

fn template_json(t: &Document) -> Value {
    json!({
        "id": t.id,
        "name": t.name,
        "template_content": t.content,
        "create_date": time::datetime(t.create_date),
    })
}

/// GET /zhugeleida/admin/website_template: spec §9.5 "Templates" list.
#[tracing::instrument(skip_all)]
pub async fn templates(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    Caller::signed(&state, &p).await?;
    let mut f = Form::new(&p);
    let page = f.page(10);
    f.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    let (rows, total) = store::admin_website::templates(&db, page.limit, page.offset).await?;
    let list: Vec<Value> = rows.iter().map(template_json).collect();
    Ok(Envelope::ok_data(
        "查询成功",
        json!({"ret_data": list, "data_count": total}),
    ))
}

/// A super-admin's template form: `(name, template_content JSON text)`.
async fn template_form(state: &AppState, p: &Params) -> Result<(String, String), ApiError> {
    Caller::signed(state, p).await?.require_super()?;
    let mut f = Form::new(p);
    let name = f.text("name", 128);
    let content = f.json_text("template_content");
    f.finish().map_err(|e| e.in_msg(301))?;
    Ok((name, content))
}

/// POST /zhugeleida/admin/website_template/add/{o_id}: spec §9.5 "Templates" add (super-admins).
#[tracing::instrument(skip_all)]
pub async fn add_template(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let (name, content) = template_form(&state, &p).await?;
    let db = state.db.get().await?;
    let id = store::admin_website::insert_template(&db, &name, &content).await?;
    Ok(Envelope::ok_data("保存成功", json!({"id": id})))
}

/// POST /zhugeleida/admin/website_template/update/{id}: spec §9.5 "Templates" update.
#[tracing::instrument(skip_all)]
pub async fn update_template(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let (name, content) = template_form(&state, &p).await?;
    let id = path_id(&id, "id")?;
    let db = state.db.get().await?;
    if store::admin_website::update_template(&db, id, &name, &content).await? {
        Ok(Envelope::ok("保存成功"))
    } else {
        Err(template_missing())
    }
}

/// POST /zhugeleida/admin/website_template/delete/{id}: spec §9.5 "Templates" delete.
#[tracing::instrument(skip_all)]
pub async fn delete_template(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    Caller::signed(&state, &p).await?.require_super()?;
    let id = path_id(&id, "id")?;
    let db = state.db.get().await?;
    deleted(
        store::admin_website::delete_template(&db, id).await?,
        template_missing,
    )
}
