//! R6 `GET /zhugeleida/qiyeweixin/action/time`: the radar feed (spec §7, action model §3.4/§4.1),
//! signed by the radar user: what their customers did, newest first, paged.
//!
//! New beside the legacy inputs: `since_id` returns only logs newer than the given id, so a console
//! can poll cheaply for what arrived since its last look; items also carry `id`, `action`,
//! `action_text`, `remark` and `is_new` (unseen before this read).

use actix_web::web;
use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::action;
use crate::auth::Family;
use crate::chat::render::customer_source_text;
use crate::error::{ApiError, Envelope, FormErrors};
use crate::http::auth::verify;
use crate::http::paging::Page;
use crate::http::params::{Params, Validator};
use crate::state::AppState;
use crate::store::action::{feed, FeedQuery, FeedRow};
use crate::time;

/// The window an `action` filter without dates covers (spec R6: "last 7 days").
const ACTION_DAYS: i64 = 7;

/// GET /zhugeleida/qiyeweixin/action/time: spec R6 "the radar feed" (marks the page seen).
#[tracing::instrument(skip_all)]
pub async fn action_time(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let uid = verify(&state, Family::Radar, &p).await?;
    let query = read_query(uid, &p)?;
    let db = state.db.get().await?;
    let (rows, total) = feed(&db, &query).await?;
    let items: Vec<Value> = rows.iter().map(|r| item(uid, r)).collect();
    Ok(Envelope::ok_data(
        "查询日志记录成功",
        json!({"ret_data": items, "data_count": total}),
    ))
}

/// The filters and the page, or the form errors as `{code:301, msg:<errors>}`.
fn read_query(radar_user: i64, p: &Params) -> Result<FeedQuery, ApiError> {
    let mut v = p.validate();
    let customer = v.opt_int("customer_id");
    let action = small_int(&mut v, "action");
    let mut from = local_time(&mut v, "create_date__gte");
    let before = local_time(&mut v, "create_date__lt");
    let after_id = v.opt_int("since_id");
    let page = Page::read(&mut v, 20, false);
    v.finish().map_err(|e| e.in_msg(301))?;
    if action.is_some() && from.is_none() && before.is_none() {
        from = Some(Utc::now() - Duration::days(ACTION_DAYS));
    }
    Ok(FeedQuery {
        radar_user,
        customer,
        action,
        from,
        before,
        after_id,
        limit: page.limit.unwrap_or(20),
        offset: page.offset,
    })
}

/// An optional integer that must fit the `smallint` column.
fn small_int(v: &mut Validator<'_>, key: &str) -> Option<i16> {
    let n = v.opt_int(key)?;
    match i16::try_from(n) {
        Ok(n) => Some(n),
        Err(_) => {
            v.error(key, FormErrors::NOT_INT);
            None
        }
    }
}

/// An optional `YYYY-MM-DD[ HH:MM:SS]` in Asia/Shanghai.
fn local_time(v: &mut Validator<'_>, key: &str) -> Option<chrono::DateTime<Utc>> {
    let raw = v.opt_text(key, 32)?;
    let t = time::parse_local(&raw);
    if t.is_none() {
        v.error(key, "Enter a valid date/time.");
    }
    t
}

/// One feed item: the legacy keys (`log` = customer name + remark) and the new ones.
fn item(radar_user: i64, r: &FeedRow) -> Value {
    let name = r
        .customer_name
        .clone()
        .unwrap_or_else(|| format!("客户ID{}", r.customer_id));
    let log_type = if r.video_id.is_some() {
        2
    } else if r.diary_id.is_some() {
        3
    } else {
        1
    };
    json!({
        "id": r.id,
        "user_id": radar_user,
        "customer_username": name,
        "customer_id": r.customer_id,
        "headimgurl": r.headimgurl,
        "customer_source": r.user_type,
        "customer_source_text": customer_source_text(r.user_type),
        "log": format!("{name}{}", r.remark),
        "remark": r.remark,
        "log_type": log_type,
        "action": r.action,
        "action_text": action::label(r.action),
        "is_new": r.is_new,
        "create_date": time::iso(r.create_date),
    })
}
