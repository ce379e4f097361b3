//! Case diaries (spec §9.6): list, add, edit and logical delete, scoped to one company. Adding or
//! editing a diary sets its case's `update_date`. A diary belongs to the company of its case.

use actix_web::web;
use chrono::{Datelike, NaiveDateTime};
use deadpool_postgres::GenericClient;
use serde_json::{json, Value};

use super::case::{cover_show_type_text, status_text};
use super::input::{path_id, Form};
use super::record::{deleted, owned};
use super::tenant::{illegal, Caller};
use crate::error::{ApiError, Envelope, FormErrors};
use crate::http::params::Params;
use crate::state::AppState;
use crate::store::{
    self,
    admin_case_diary::{DiaryFilter, DiaryForm, DiaryRow},
};
use crate::time;

/// Orders a client may ask for (anything else falls back to the first).
const ORDERS: [&str; 4] = ["-create_date", "create_date", "-diary_date", "diary_date"];

/// `diary_date` as the editor sends it.
const DATE_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// The diary-missing answer of edit and delete (`'案例不存在'`, sic: spec §9.6).
fn diary_missing() -> ApiError {
    ApiError::not_found("案例不存在")
}

fn diary_json(d: &DiaryRow) -> Value {
    json!({
        "diary_id": d.id,
        "case_id": d.case_id,
        "case_name": d.case_name,
        "company_id": d.company_id,
        "title": d.title,
        "summary": d.summary,
        "diary_date": time::date(d.diary_date),
        "cover_picture": d.cover_picture,
        "content": d.content,
        "interval_days": d.interval_days,
        "status": d.status,
        "status_text": status_text(d.status),
        "read_count": d.read_count,
        "comment_count": d.comment_count,
        "up_count": d.up_count,
        "cover_show_type": d.cover_show_type,
        "cover_show_type_text": cover_show_type_text(d.cover_show_type),
        "create_date": time::datetime(d.create_date),
    })
}

/// GET /zhugeleida/admin/diary_manage/diary_list: spec §9.6 "Diaries list" (as M31 without the
/// customer fields; unpublished diaries included; no read counting).
#[tracing::instrument(skip_all)]
pub async fn list(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let company = caller.target_company(&state, &p).await?;
    let mut f = Form::new(&p);
    let diary_id = f.opt_int("diary_id");
    let status = f.opt_choice("status", &[1, 2]);
    let title = f.opt_text("title", 128);
    let case_id = f.opt_int("case_id");
    let page = f.page(20);
    f.finish().map_err(|e| e.in_msg(301))?;
    let filter = DiaryFilter {
        diary_id,
        status,
        title: title.as_deref(),
        case_id,
        order: p
            .get("order")
            .filter(|o| ORDERS.contains(o))
            .unwrap_or(ORDERS[0]),
        limit: page.limit,
        offset: page.offset,
    };
    let db = state.db.get().await?;
    let (rows, total) = store::admin_case_diary::diaries(&db, company, &filter).await?;
    let list: Vec<Value> = rows.iter().map(diary_json).collect();
    Ok(Envelope::ok_data(
        "查询成功",
        json!({"ret_data": list, "data_count": total}),
    ))
}

/// Reads the diary form: every field is required.
fn read_diary(p: &Params) -> Result<DiaryForm, ApiError> {
    let mut f = Form::new(p);
    let case_id = f.int("case_id");
    let title = f.text("title", 128);
    let summary = f.text("summary", 255);
    let raw_date = f.text("diary_date", 32);
    let diary_date = NaiveDateTime::parse_from_str(raw_date.trim(), DATE_FORMAT)
        .ok()
        .filter(|d| (1900..=9999).contains(&d.year()))
        .and_then(|d| time::parse_local(&d.format(DATE_FORMAT).to_string()));
    if !raw_date.is_empty() && diary_date.is_none() {
        f.error("diary_date", "Enter a valid date/time.");
    }
    let cover_picture = f.json_text("cover_picture");
    let content = f.text("content", usize::MAX);
    let status = f.choice("status", &[1, 2]);
    let cover_show_type = f.choice("cover_show_type", &[1, 2]);
    f.finish().map_err(|e| e.in_msg(301))?;
    let invalid = |field: &str, msg: &str| FormErrors::single(field, msg, "invalid").in_msg(301);
    let diary_date = diary_date.ok_or_else(|| invalid("diary_date", "Enter a valid date/time."))?;
    let cover_picture = serde_json::from_str(&cover_picture)
        .map_err(|_| invalid("cover_picture", "Enter a valid JSON."))?;
    Ok(DiaryForm {
        case_id,
        title,
        summary,
        diary_date,
        cover_picture,
        content: content_value(&content),
        status,
        cover_show_type,
    })
}

/// `content` is JSON text or an HTML string (spec §3.5): JSON is stored parsed, anything else (or
/// JSON holding a NUL, which jsonb refuses) as a JSON string.
fn content_value(text: &str) -> Value {
    match serde_json::from_str::<Value>(text) {
        Ok(v) if !v.to_string().contains("\\u0000") => v,
        _ => Value::String(text.to_owned()),
    }
}

/// The case a diary goes to: it must be a live case the caller may act on.
async fn diary_case(
    state: &AppState,
    db: &impl GenericClient,
    caller: &Caller,
    p: &Params,
    case_id: i64,
) -> Result<i64, ApiError> {
    let company = store::admin_case::case_company(db, case_id).await?;
    caller
        .owns(state, p, company, || ApiError::not_found("案例不存在"))
        .await
}

/// POST /zhugeleida/admin/diary_manage/add/{o_id}: spec §9.6 "Diary add".
#[tracing::instrument(skip_all)]
pub async fn add(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    caller.target_company(&state, &p).await?;
    let form = read_diary(&p)?;
    let db = state.db.get().await?;
    let company = diary_case(&state, &db, &caller, &p, form.case_id).await?;
    let id = store::admin_case_diary::insert_diary(&db, company, caller.id, &form).await?;
    Ok(Envelope::ok_data("添加成功", json!({"diary_id": id})))
}

/// POST /zhugeleida/admin/diary_manage/update/{id}: spec §9.6 "Diary edit" (New: `'修改成功'`).
#[tracing::instrument(skip_all)]
pub async fn update(
    state: web::Data<AppState>,
    p: Params,
    id: web::Path<String>,
) -> Result<Envelope, ApiError> {
    let caller = Caller::signed(&state, &p).await?;
    let id = path_id(&id, "id")?;
    let form = read_diary(&p)?;
    let db = state.db.get().await?;
    let company = store::admin_case_diary::diary_company(&db, id).await?;
    let company = caller.owns(&state, &p, company, diary_missing).await?;
    if diary_case(&state, &db, &caller, &p, form.case_id).await? != company {
        return Err(illegal());
    }
    if store::admin_case_diary::update_diary(&db, id, &form).await? {
        Ok(Envelope::ok("修改成功"))
    } else {
        Err(diary_missing())
    }
}

/// POST /zhugeleida/admin/diary_manage/delete/{id} (also the doc's `/diary/delete/{id}`): spec
/// §9.6 "Diary delete", logical (status 3).
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
        store::admin_case_diary::diary_company,
        diary_missing,
    )
    .await?;
    deleted(
        store::admin_case_diary::delete_diary(&r.db, r.id).await?,
        diary_missing,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(body: &str) -> Params {
        Params::parse(b"", body.as_bytes(), false).unwrap()
    }

    #[test]
    fn content_keeps_json_and_wraps_html_in_a_string() {
        assert_eq!(content_value(r#"[{"a":1}]"#), json!([{"a": 1}]));
        assert_eq!(content_value("<p>你好</p>"), json!("<p>你好</p>"));
    }

    #[test]
    fn every_diary_field_is_required_and_the_date_has_seconds() {
        let missing = read_diary(&form("")).unwrap_err().envelope();
        assert_eq!(missing.code, 301);
        for field in ["case_id", "title", "summary", "diary_date", "cover_picture"] {
            assert_eq!(missing.msg[field][0]["code"], "required", "{field}");
        }
        let body = "case_id=1&title=t&summary=s&diary_date=2019-01-02&cover_picture=%5B%5D\
                    &content=c&status=1&cover_show_type=2";
        let bad_date = read_diary(&form(body)).unwrap_err().envelope();
        assert_eq!(
            bad_date.msg["diary_date"][0]["message"],
            "Enter a valid date/time."
        );
        let ok = read_diary(&form(
            &body.replace("2019-01-02", "2019-01-02+08%3A30%3A00"),
        ))
        .unwrap();
        assert_eq!(time::datetime(ok.diary_date), "2019-01-02 08:30:00");
    }
}
