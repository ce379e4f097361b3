//! Diaries as the mini-program reads them (spec §3.5, M31–M33, M35): published diaries of
//! published cases, their read/comment/praise counters (always atomic SQL updates), comments and
//! praise. Cases and tags live in `store::case`.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use serde_json::Value;
use tokio_postgres::Row;

use crate::sql;

/// A diary as M31 lists it.
#[derive(Debug, Clone)]
pub struct DiaryItem {
    pub id: i64,
    pub case_id: i64,
    pub company_id: i64,
    pub title: String,
    pub diary_date: DateTime<Utc>,
    pub cover_picture: Value,
    pub content: Value,
    pub status: i16,
    pub read_count: i32,
    pub comment_count: i32,
    pub up_count: i32,
    pub cover_show_type: i16,
    pub create_date: DateTime<Utc>,
    /// Whole days since the earliest published `diary_date` of the same case.
    pub interval_days: i64,
    /// Whether the caller praises it (an active praise row).
    pub is_praise: bool,
}

impl DiaryItem {
    fn from_row(r: &Row) -> DiaryItem {
        DiaryItem {
            id: r.get("id"),
            case_id: r.get("case_id"),
            company_id: r.get("company_id"),
            title: r.get("title"),
            diary_date: r.get("diary_date"),
            cover_picture: r.get("cover_picture"),
            content: r.get("content"),
            status: r.get("status"),
            read_count: r.get("read_count"),
            comment_count: r.get("comment_count"),
            up_count: r.get("up_count"),
            cover_show_type: r.get("cover_show_type"),
            create_date: r.get("create_date"),
            interval_days: r.get::<_, Option<i64>>("interval_days").unwrap_or(0),
            is_praise: r.get("is_praise"),
        }
    }
}

/// What M31 asks for.
#[derive(Debug, Clone)]
pub struct DiaryFilter<'a> {
    pub company: i64,
    /// The caller, for `is_praise`.
    pub customer: i64,
    pub diary_id: Option<i64>,
    pub title: Option<&'a str>,
    pub case_id: Option<i64>,
    /// `-create_date` (default), `create_date`, `-diary_date` or `diary_date`.
    pub order: &'a str,
    pub limit: Option<i64>,
    pub offset: i64,
}

/// A comment as M33 lists it.
#[derive(Debug, Clone)]
pub struct Comment {
    pub from_customer_id: i64,
    pub from_customer_name: Option<String>,
    pub from_customer_headimgurl: String,
    pub content: String,
    pub create_date: DateTime<Utc>,
}

/// The outcome of a praise (M35).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Praise {
    /// First praise: the row was inserted and `up_count` moved.
    Added,
    /// The customer had praised it before; nothing was counted.
    Already,
    /// No visible diary with that id in the company.
    NoSuchDiary,
}

/// Counts one read of a visible diary of `company` (M31 `diary_id`).
#[tracing::instrument(skip_all)]
pub async fn add_read(
    db: &impl GenericClient,
    diary: i64,
    company: i64,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("diary/add_read")).await?;
    Ok(db.execute(&stmt, &[&diary, &company]).await? > 0)
}

/// A page of visible diaries and the total count (M31).
#[tracing::instrument(skip_all)]
pub async fn list(
    db: &impl GenericClient,
    f: &DiaryFilter<'_>,
) -> Result<(Vec<DiaryItem>, i64), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("diary/list")).await?;
    let rows = db
        .query(
            &stmt,
            &[
                &f.company,
                &f.customer,
                &f.diary_id,
                &f.title,
                &f.case_id,
                &f.order,
                &f.limit,
                &f.offset,
            ],
        )
        .await?;
    let total = rows.first().map(|r| r.get("total")).unwrap_or(0);
    Ok((rows.iter().map(DiaryItem::from_row).collect(), total))
}

/// Adds a comment to a visible diary of `company` and counts it (M32). `None` = no such diary.
#[tracing::instrument(skip_all)]
pub async fn add_comment(
    db: &impl GenericClient,
    diary: i64,
    company: Option<i64>,
    customer: i64,
    content: &str,
) -> Result<Option<i64>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("diary/add_comment")).await?;
    Ok(db
        .query_opt(&stmt, &[&diary, &company, &customer, &content])
        .await?
        .map(|r| r.get(0)))
}

/// A page of a visible diary's comments the caller may see, newest first, and the total (M33).
#[tracing::instrument(skip_all)]
pub async fn comments(
    db: &impl GenericClient,
    diary: i64,
    company: i64,
    customer: i64,
    limit: Option<i64>,
    offset: i64,
) -> Result<(Vec<Comment>, i64), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("diary/comments")).await?;
    let rows = db
        .query(&stmt, &[&diary, &company, &customer, &limit, &offset])
        .await?;
    let total = rows.first().map(|r| r.get("total")).unwrap_or(0);
    let list = rows
        .iter()
        .map(|r| Comment {
            from_customer_id: r.get("from_customer_id"),
            from_customer_name: r.get("username"),
            from_customer_headimgurl: r.get("headimgurl"),
            content: r.get("content"),
            create_date: r.get("create_date"),
        })
        .collect();
    Ok((list, total))
}

/// Praises a visible diary of `company` once (M35).
#[tracing::instrument(skip_all)]
pub async fn praise(
    db: &impl GenericClient,
    diary: i64,
    company: Option<i64>,
    customer: i64,
) -> Result<Praise, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("diary/praise")).await?;
    let r = db.query_one(&stmt, &[&diary, &company, &customer]).await?;
    Ok(
        match (r.get::<_, bool>("found"), r.get::<_, bool>("praised")) {
            (false, _) => Praise::NoSuchDiary,
            (true, true) => Praise::Added,
            (true, false) => Praise::Already,
        },
    )
}
