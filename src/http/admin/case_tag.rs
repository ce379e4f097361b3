//! Case tags (spec §9.6): list, add, rename, delete, scoped to one company. Tag names are unique
//! per company (`'不能存在相同的标签名'`, code 303, like every tag form error).

use actix_web::web;
use serde_json::{json, Value};

use super::company::company_missing;
use super::input::{path_id, unique_violation, Form};
use super::record::{deleted, owned};
use super::tenant::Caller;
use crate::error::{ApiError, Envelope, FormErrors};
use crate::http::params::Params;
use crate::state::AppState;
use crate::store;

/// Longest tag name (`case_tags.name`).
const NAME_MAX: usize = 32;

fn tag_missing() -> ApiError {
    ApiError::not_found("标签ID不存在")
}

fn name_taken() -> ApiError {
    FormErrors::single("tag_name", "不能存在相同的标签名", "invalid").in_msg(303)
}

/// The `tag_name` field, trimmed; form errors answer 303.
fn read_name(p: &Params) -> Result<String, ApiError> {
    let mut f = Form::new(p);
    let name = f.text("tag_name", NAME_MAX);
    f.finish().map_err(|e| e.in_msg(303))?;
    Ok(name.trim().to_owned())
}

/// GET /zhugeleida/admin/case_tag: spec §9.6 "Tags list" (`name` contains).
#[tracing::instrument(skip_all)]
pub async fn list(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let company = caller.target_company(&state, &p).await?;
    let mut f = Form::new(&p);
    let name = f.opt_text("name", NAME_MAX);
    f.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    let (tags, total) = store::admin_case::tags(&db, company, name.as_deref()).await?;
    let list: Vec<Value> = tags
        .iter()
        .map(|t| json!({"id": t.id, "name": t.name}))
        .collect();
    Ok(Envelope::ok_data(
        "",
        json!({"ret_data": list, "data_count": total}),
    ))
}

/// POST /zhugeleida/admin/case_tag/add/{o_id}: spec §9.6 "Tag add".
#[tracing::instrument(skip_all)]
pub async fn add(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let company = caller.target_company(&state, &p).await?;
    let name = read_name(&p)?;
    let db = state.db.get().await?;
    if !store::admin_company::exists(&db, company).await? {
        return Err(company_missing());
    }
    let id = store::admin_case::insert_tag(&db, company, &name)
        .await?
        .ok_or_else(name_taken)?;
    Ok(Envelope::ok_data(
        "添加成功",
        json!([{"tag_id": id, "tag_name": name}]),
    ))
}

/// POST /zhugeleida/admin/case_tag/update/{id}: spec §9.6 "Tag rename".
#[tracing::instrument(skip_all)]
pub async fn update(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let id = path_id(&id, "id")?;
    let name = read_name(&p)?;
    let db = state.db.get().await?;
    let company = store::admin_case::tag_company(&db, id).await?;
    caller.owns(&state, &p, company, tag_missing).await?;
    match store::admin_case::rename_tag(&db, id, &name).await {
        Ok(()) => Ok(Envelope::ok("修改成功")),
        Err(e) if unique_violation(&e) => Err(name_taken()),
        Err(e) => Err(e.into()),
    }
}

/// POST /zhugeleida/admin/case_tag/delete/{id}: spec §9.6 "Tag delete" (its case links go too).
#[tracing::instrument(skip_all)]
pub async fn delete(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let r = owned(&state, &p, &id, store::admin_case::tag_company, tag_missing).await?;
    deleted(
        store::admin_case::delete_tag(&r.db, r.id).await?,
        tag_missing,
    )
}
