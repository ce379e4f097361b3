//! What the customer keeps of the case library: collecting a case (M34), and the lists of its
//! footprints (M36) and collections (M37).

use actix_web::{web, HttpResponse};

use super::render::{cases_body, json_response, Listing};
use super::scope::{action_company, scoped};
use crate::auth::Family;
use crate::error::{ApiError, Envelope};
use crate::http::auth::verify;
use crate::http::paging::Page;
use crate::http::params::Params;
use crate::state::AppState;
use crate::store::{self, case::Acted};

/// POST /zhugeleida/xiaochengxu/case_manage/collection_case: spec M34 "收藏某个案例" (form `case_id`,
/// `status` 0 未收藏 / 1 已收藏).
#[tracing::instrument(skip_all)]
pub async fn collection_case(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let customer = verify(&state, Family::Customer, &p).await?;
    let mut v = p.validate();
    let case = v.int("case_id");
    let status = v.int("status");
    let requested = v.opt_int("company_id");
    if !(0..=1).contains(&status) {
        let msg = format!("Select a valid choice. {status} is not one of the available choices.");
        v.error("status", &msg);
    }
    v.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    let company = action_company(&state, &db, customer, requested).await?;
    // 0..=1 checked above.
    let status = status as i16;
    if !store::case::collect(&db, case, company, customer, status).await? {
        return Err(ApiError::not_found("案例不存在"));
    }
    Ok(Envelope::ok("记录成功"))
}

/// The customer's footprints or collections, newest first (M36/M37).
async fn acted_cases(state: &AppState, p: &Params, acted: Acted) -> Result<HttpResponse, ApiError> {
    let s = scoped(state, p, |v| Page::read(v, 20, false)).await?;
    let page = s.input;
    let (cases, total) =
        store::case::acted_list(&s.db, s.customer, acted, s.company, page.limit, page.offset)
            .await?;
    Ok(json_response(cases_body(&cases, total, Listing::Mine)?))
}

/// GET /zhugeleida/xiaochengxu/case_manage/browse_case_list_record: spec M36 "我的足迹 - 浏览记录".
#[tracing::instrument(skip_all)]
pub async fn browse_list(state: web::Data<AppState>, p: Params) -> Result<HttpResponse, ApiError> {
    acted_cases(&state, &p, Acted::Browsed).await
}

/// GET /zhugeleida/xiaochengxu/case_manage/collection_case_list_record: spec M37 "我的收藏 - 案例列表".
#[tracing::instrument(skip_all)]
pub async fn collection_list(
    state: web::Data<AppState>,
    p: Params,
) -> Result<HttpResponse, ApiError> {
    acted_cases(&state, &p, Acted::Collected).await
}
