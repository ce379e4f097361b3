//! `diaries` and `diary_comments` as the back office manages them (spec §9.6), and the company's
//! comment-moderation switch. Deleted diaries (status 3) and diaries of deleted cases are
//! invisible; comment deletion keeps `diaries.comment_count` in step in the same statement.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use serde_json::Value;

use crate::sql;

/// A diary row of the back-office list.
#[derive(Debug, Clone)]
pub struct DiaryRow {
    pub id: i64,
    pub case_id: i64,
    pub case_name: String,
    pub company_id: i64,
    pub title: String,
    pub summary: String,
    pub diary_date: DateTime<Utc>,
    pub cover_picture: Value,
    pub content: Value,
    /// Whole days since the earliest live `diary_date` of the same case.
    pub interval_days: i32,
    pub status: i16,
    pub cover_show_type: i16,
    pub read_count: i32,
    pub comment_count: i32,
    pub up_count: i32,
    pub create_date: DateTime<Utc>,
}

/// Filters and page of the diary list.
#[derive(Debug)]
pub struct DiaryFilter<'a> {
    pub diary_id: Option<i64>,
    pub status: Option<i16>,
    pub title: Option<&'a str>,
    pub case_id: Option<i64>,
    pub order: &'a str,
    pub limit: Option<i64>,
    pub offset: i64,
}

/// A page of `company`'s live diaries and their total count.
pub async fn diaries(
    db: &impl GenericClient,
    company: i64,
    f: &DiaryFilter<'_>,
) -> Result<(Vec<DiaryRow>, i64), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin_case/diary_list")).await?;
    let rows = db
        .query(
            &stmt,
            &[
                &company,
                &f.diary_id,
                &f.status,
                &f.title,
                &f.case_id,
                &f.order,
                &f.limit,
                &f.offset,
            ],
        )
        .await?;
    Ok(super::page(&rows, |r| DiaryRow {
        id: r.get("id"),
        case_id: r.get("case_id"),
        case_name: r.get("case_name"),
        company_id: r.get("company_id"),
        title: r.get("title"),
        summary: r.get("summary"),
        diary_date: r.get("diary_date"),
        cover_picture: r.get("cover_picture"),
        content: r.get("content"),
        interval_days: r.get::<_, Option<i32>>("interval_days").unwrap_or(0),
        status: r.get("status"),
        cover_show_type: r.get("cover_show_type"),
        read_count: r.get("read_count"),
        comment_count: r.get("comment_count"),
        up_count: r.get("up_count"),
        create_date: r.get("create_date"),
    }))
}

/// The fields of a diary (create and update; all required).
#[derive(Debug)]
pub struct DiaryForm {
    pub case_id: i64,
    pub title: String,
    pub summary: String,
    pub diary_date: DateTime<Utc>,
    pub cover_picture: Value,
    pub content: Value,
    pub status: i16,
    pub cover_show_type: i16,
}

/// Creates a diary of `company` by admin `author` and sets its case's `update_date`; returns its id.
pub async fn insert_diary(
    db: &impl GenericClient,
    company: i64,
    author: i64,
    d: &DiaryForm,
) -> Result<i64, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin_case/diary_insert")).await?;
    let row = db
        .query_one(
            &stmt,
            &[
                &company,
                &d.case_id,
                &author,
                &d.title,
                &d.summary,
                &d.diary_date,
                &d.cover_picture,
                &d.content,
                &d.status,
                &d.cover_show_type,
            ],
        )
        .await?;
    Ok(row.get(0))
}

/// Edits a live diary and sets its case's `update_date`; returns whether it existed.
pub async fn update_diary(
    db: &impl GenericClient,
    id: i64,
    d: &DiaryForm,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin_case/diary_update")).await?;
    let row = db
        .query_opt(
            &stmt,
            &[
                &id,
                &d.case_id,
                &d.title,
                &d.summary,
                &d.diary_date,
                &d.cover_picture,
                &d.content,
                &d.status,
                &d.cover_show_type,
            ],
        )
        .await?;
    Ok(row.is_some())
}

/// The company of a live diary.
pub async fn diary_company(
    db: &impl GenericClient,
    id: i64,
) -> Result<Option<i64>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin_case/diary_company")).await?;
    Ok(db.query_opt(&stmt, &[&id]).await?.map(|r| r.get(0)))
}

/// Logically deletes a live diary; returns whether it existed.
pub async fn delete_diary(db: &impl GenericClient, id: i64) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin_case/diary_delete")).await?;
    Ok(db.execute(&stmt, &[&id]).await? == 1)
}

/// A comment as the moderation list shows it.
#[derive(Debug, Clone)]
pub struct CommentRow {
    pub id: i64,
    pub diary_id: i64,
    pub diary_title: String,
    pub from_customer_id: i64,
    pub customer_name: Option<String>,
    pub customer_headimgurl: String,
    pub content: String,
    pub is_audit_pass: i16,
    pub create_date: DateTime<Utc>,
}

/// A page of the comments on `company`'s live diaries and their total count.
pub async fn comments(
    db: &impl GenericClient,
    company: i64,
    is_audit_pass: Option<i16>,
    limit: Option<i64>,
    offset: i64,
) -> Result<(Vec<CommentRow>, i64), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin_case/comment_list")).await?;
    let rows = db
        .query(&stmt, &[&company, &is_audit_pass, &limit, &offset])
        .await?;
    Ok(super::page(&rows, |r| CommentRow {
        id: r.get("id"),
        diary_id: r.get("diary_id"),
        diary_title: r.get("diary_title"),
        from_customer_id: r.get("from_customer_id"),
        customer_name: r.get("customer_name"),
        customer_headimgurl: r.get("customer_headimgurl"),
        content: r.get("content"),
        is_audit_pass: r.get("is_audit_pass"),
        create_date: r.get("create_date"),
    }))
}

/// Approves the comments `ids` (distinct) on `company`'s diaries, all or none; returns whether it
/// did.
pub async fn approve_comments(
    db: &impl GenericClient,
    company: i64,
    ids: &[i64],
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db
        .prepare_cached(sql!("admin_case/comment_approve"))
        .await?;
    let rows = db.query(&stmt, &[&company, &ids]).await?;
    Ok(!ids.is_empty() && rows.len() == ids.len())
}

/// Deletes the comments `ids` (distinct) on `company`'s diaries, all or none, lowering each
/// diary's `comment_count` (never below 0); returns whether it did.
pub async fn delete_comments(
    db: &impl GenericClient,
    company: i64,
    ids: &[i64],
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin_case/comment_delete")).await?;
    let n: i64 = db.query_one(&stmt, &[&company, &ids]).await?.get(0);
    Ok(!ids.is_empty() && n == ids.len() as i64)
}

/// Sets a live company's comment moderation; returns whether the company exists.
pub async fn set_comment_moderation(
    db: &impl GenericClient,
    company: i64,
    on: bool,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db
        .prepare_cached(sql!("admin_case/company_set_comment_moderation"))
        .await?;
    Ok(db.execute(&stmt, &[&company, &on]).await? == 1)
}
