//! The case library as the mini-program reads it (spec §3.5, M27–M30, M34, M36, M37): published
//! cases with their tags and newest diary, tag searches and their history, footprints and
//! collections. Diaries, comments and praise live in `store::diary`; the back office (§9.6) has
//! its own queries.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use serde_json::Value;
use tokio_postgres::Row;

use crate::sql;

/// The newest published diary of a case, as case lists show it (`last_diary_data`).
#[derive(Debug, Clone)]
pub struct DiaryBrief {
    pub id: i64,
    pub title: String,
    pub diary_date: DateTime<Utc>,
    pub cover_picture: Value,
    pub content: Value,
    pub status: i16,
    pub cover_show_type: i16,
    pub create_date: DateTime<Utc>,
}

/// A case as M27, M36 and M37 list it.
#[derive(Debug, Clone)]
pub struct CaseCard {
    pub id: i64,
    pub case_name: String,
    pub company_id: i64,
    pub customer_name: String,
    pub headimgurl: String,
    pub cover_picture: Value,
    pub status: i16,
    pub update_date: Option<DateTime<Utc>>,
    /// The case's creation (M27), or when the customer browsed or collected it (M36/M37).
    pub create_date: DateTime<Utc>,
    /// `[{id, name}]`.
    pub tags: Value,
    pub last_diary: Option<DiaryBrief>,
}

impl CaseCard {
    fn from_row(r: &Row) -> CaseCard {
        let last_diary = r.get::<_, Option<i64>>("d_id").map(|id| DiaryBrief {
            id,
            title: r.get("d_title"),
            diary_date: r.get("d_diary_date"),
            cover_picture: r.get("d_cover_picture"),
            content: r.get("d_content"),
            status: r.get("d_status"),
            cover_show_type: r.get("d_cover_show_type"),
            create_date: r.get("d_create_date"),
        });
        CaseCard {
            id: r.get("id"),
            case_name: r.get("case_name"),
            company_id: r.get("company_id"),
            customer_name: r.get("customer_name"),
            headimgurl: r.get("headimgurl"),
            cover_picture: r.get("cover_picture"),
            status: r.get("status"),
            update_date: r.get("update_date"),
            create_date: r.get("create_date"),
            tags: r.get("tags"),
            last_diary,
        }
    }
}

/// A case tag `{id, name}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub id: i64,
    pub name: String,
}

fn tag(r: &Row) -> Tag {
    Tag {
        id: r.get("id"),
        name: r.get("name"),
    }
}

/// The rows of a page and the `total` column its statement counts.
fn paged<T>(rows: &[Row], f: impl Fn(&Row) -> T) -> (Vec<T>, i64) {
    let total = rows.first().map(|r| r.get("total")).unwrap_or(0);
    (rows.iter().map(f).collect(), total)
}

/// What M27 asks for.
#[derive(Debug, Clone)]
pub struct CaseFilter<'a> {
    pub company: i64,
    pub case_id: Option<i64>,
    pub tag_id: Option<i64>,
    pub customer_name: Option<&'a str>,
    /// `-update_date` (default), `update_date`, `-create_date` or `create_date`.
    pub order: &'a str,
    pub limit: Option<i64>,
    pub offset: i64,
    /// Whether items carry their newest diary (not for a single case).
    pub with_last_diary: bool,
}

/// The company of `customer`: `None` for no such customer, `Some(None)` before it has one.
#[tracing::instrument(skip_all)]
pub async fn customer_company(
    db: &impl GenericClient,
    customer: i64,
) -> Result<Option<Option<i64>>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("case/customer_company")).await?;
    Ok(db.query_opt(&stmt, &[&customer]).await?.map(|r| r.get(0)))
}

/// Counts a search by tag `tag` of `company` and records it in the customer's history.
/// Returns false (and changes nothing) when the tag is not the company's.
#[tracing::instrument(skip_all)]
pub async fn count_tag_search(
    db: &impl GenericClient,
    tag: i64,
    company: i64,
    customer: i64,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("case/count_tag_search")).await?;
    Ok(db
        .query_opt(&stmt, &[&tag, &company, &customer])
        .await?
        .is_some())
}

/// Records (or moves to now) the customer's footprint on a published case of `company`.
/// Returns false when the case is not visible.
#[tracing::instrument(skip_all)]
pub async fn record_browse(
    db: &impl GenericClient,
    case: i64,
    company: i64,
    customer: i64,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("case/record_browse")).await?;
    Ok(db
        .query_opt(&stmt, &[&case, &company, &customer])
        .await?
        .is_some())
}

/// A page of published cases and the total count (M27).
#[tracing::instrument(skip_all)]
pub async fn list(
    db: &impl GenericClient,
    f: &CaseFilter<'_>,
) -> Result<(Vec<CaseCard>, i64), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("case/list")).await?;
    let rows = db
        .query(
            &stmt,
            &[
                &f.company,
                &f.case_id,
                &f.tag_id,
                &f.customer_name,
                &f.order,
                &f.limit,
                &f.offset,
                &f.with_last_diary,
            ],
        )
        .await?;
    Ok(paged(&rows, CaseCard::from_row))
}

/// Which of the customer's case actions a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i16)]
pub enum Acted {
    /// M37: collected cases (action 2, status 1).
    Collected = 2,
    /// M36: footprints (action 3).
    Browsed = 3,
}

/// A page of the customer's footprints or collections in `company`, newest first (M36/M37).
#[tracing::instrument(skip_all)]
pub async fn acted_list(
    db: &impl GenericClient,
    customer: i64,
    acted: Acted,
    company: i64,
    limit: Option<i64>,
    offset: i64,
) -> Result<(Vec<CaseCard>, i64), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("case/acted_list")).await?;
    let rows = db
        .query(
            &stmt,
            &[&customer, &(acted as i16), &company, &limit, &offset],
        )
        .await?;
    Ok(paged(&rows, CaseCard::from_row))
}

/// A page of the company's tags, optionally filtered by a name substring, and the total (M28).
#[tracing::instrument(skip_all)]
pub async fn tags(
    db: &impl GenericClient,
    company: i64,
    name: Option<&str>,
    limit: Option<i64>,
    offset: i64,
) -> Result<(Vec<Tag>, i64), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("case/tags")).await?;
    let rows = db.query(&stmt, &[&company, &name, &limit, &offset]).await?;
    Ok(paged(&rows, tag))
}

/// The customer's searched tags in `company`: newest first, de-duplicated, at most 13 (M29).
#[tracing::instrument(skip_all)]
pub async fn tag_history(
    db: &impl GenericClient,
    customer: i64,
    company: i64,
) -> Result<Vec<Tag>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("case/tag_history")).await?;
    let rows = db.query(&stmt, &[&customer, &company]).await?;
    Ok(rows.iter().map(tag).collect())
}

/// The 13 most searched tags of `company` and its number of tags (M30).
#[tracing::instrument(skip_all)]
pub async fn top_tags(
    db: &impl GenericClient,
    company: i64,
) -> Result<(Vec<Tag>, i64), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("case/top_tags")).await?;
    let rows = db.query(&stmt, &[&company]).await?;
    Ok(paged(&rows, tag))
}

/// Sets the customer's collect state (0/1) on a published case of `company` (M34).
/// Returns false when the case is not visible.
#[tracing::instrument(skip_all)]
pub async fn collect(
    db: &impl GenericClient,
    case: i64,
    company: Option<i64>,
    customer: i64,
    status: i16,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("case/collect")).await?;
    Ok(db
        .query_opt(&stmt, &[&case, &company, &customer, &status])
        .await?
        .is_some())
}
