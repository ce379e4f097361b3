//! `case_tags`, `cases` and `case_tag_links` as the back office manages them (spec §9.6). Every
//! list is scoped to one company; deleted cases (status 3) are invisible. Diaries and comments are
//! in `admin_case_diary`.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use serde_json::Value;

use crate::sql;

/// A case tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub id: i64,
    pub name: String,
}

/// Company `company`'s tags whose name contains `name` (all when `None`), and their count.
pub async fn tags(
    db: &impl GenericClient,
    company: i64,
    name: Option<&str>,
) -> Result<(Vec<Tag>, i64), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin_case/tag_list")).await?;
    let rows = db.query(&stmt, &[&company, &name]).await?;
    Ok(super::page(&rows, |r| Tag {
        id: r.get("id"),
        name: r.get("name"),
    }))
}

/// Adds a tag; `None` when the company already has one of that name.
pub async fn insert_tag(
    db: &impl GenericClient,
    company: i64,
    name: &str,
) -> Result<Option<i64>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin_case/tag_insert")).await?;
    Ok(db
        .query_opt(&stmt, &[&company, &name])
        .await?
        .map(|r| r.get(0)))
}

/// The company of a tag.
pub async fn tag_company(
    db: &impl GenericClient,
    id: i64,
) -> Result<Option<i64>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin_case/tag_company")).await?;
    Ok(db.query_opt(&stmt, &[&id]).await?.map(|r| r.get(0)))
}

/// Renames a tag (a duplicate name is a unique violation).
pub async fn rename_tag(
    db: &impl GenericClient,
    id: i64,
    name: &str,
) -> Result<(), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin_case/tag_rename")).await?;
    db.execute(&stmt, &[&id, &name]).await?;
    Ok(())
}

/// Deletes a tag and its case links; returns whether it existed.
pub async fn delete_tag(db: &impl GenericClient, id: i64) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin_case/tag_delete")).await?;
    Ok(db.execute(&stmt, &[&id]).await? == 1)
}

/// `(tag id, company)` of each existing tag among `ids`.
pub async fn tag_companies(
    db: &impl GenericClient,
    ids: &[i64],
) -> Result<Vec<(i64, i64)>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin_case/tag_companies")).await?;
    let rows = db.query(&stmt, &[&ids]).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// The newest live diary of a case, as case lists show it.
#[derive(Debug, Clone)]
pub struct LastDiary {
    pub id: i64,
    pub title: String,
    pub diary_date: DateTime<Utc>,
    pub cover_picture: Value,
    pub content: Value,
    pub status: i16,
    pub cover_show_type: i16,
    pub create_date: DateTime<Utc>,
}

/// A case row of the back-office list.
#[derive(Debug, Clone)]
pub struct CaseRow {
    pub id: i64,
    pub company_id: i64,
    pub case_name: String,
    pub customer_name: String,
    pub headimgurl: String,
    pub cover_picture: Value,
    pub status: i16,
    pub tag_list: Value,
    pub last_diary: Option<LastDiary>,
    pub update_date: Option<DateTime<Utc>>,
    pub create_date: DateTime<Utc>,
}

/// Filters and page of the case list.
#[derive(Debug)]
pub struct CaseFilter<'a> {
    pub case_id: Option<i64>,
    pub status: Option<i16>,
    pub customer_name: Option<&'a str>,
    pub order: &'a str,
    pub limit: Option<i64>,
    pub offset: i64,
}

/// A page of `company`'s live cases and their total count.
pub async fn cases(
    db: &impl GenericClient,
    company: i64,
    f: &CaseFilter<'_>,
) -> Result<(Vec<CaseRow>, i64), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin_case/case_list")).await?;
    let rows = db
        .query(
            &stmt,
            &[
                &company,
                &f.case_id,
                &f.status,
                &f.customer_name,
                &f.order,
                &f.limit,
                &f.offset,
            ],
        )
        .await?;
    Ok(super::page(&rows, |r| CaseRow {
        id: r.get("id"),
        company_id: r.get("company_id"),
        case_name: r.get("case_name"),
        customer_name: r.get("customer_name"),
        headimgurl: r.get("headimgurl"),
        cover_picture: r.get("cover_picture"),
        status: r.get("status"),
        tag_list: r.get("tag_list"),
        last_diary: r.get::<_, Option<i64>>("ld_id").map(|id| LastDiary {
            id,
            title: r.get("ld_title"),
            diary_date: r.get("ld_diary_date"),
            cover_picture: r.get("ld_cover_picture"),
            content: r.get("ld_content"),
            status: r.get("ld_status"),
            cover_show_type: r.get("ld_cover_show_type"),
            create_date: r.get("ld_create_date"),
        }),
        update_date: r.get("update_date"),
        create_date: r.get("create_date"),
    }))
}

/// The company of a live case.
pub async fn case_company(
    db: &impl GenericClient,
    id: i64,
) -> Result<Option<i64>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin_case/case_company")).await?;
    Ok(db.query_opt(&stmt, &[&id]).await?.map(|r| r.get(0)))
}

/// Whether `company` has a published case other than `except` called `name`.
pub async fn case_name_taken(
    db: &impl GenericClient,
    company: i64,
    name: &str,
    except: Option<i64>,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db
        .prepare_cached(sql!("admin_case/case_name_taken"))
        .await?;
    Ok(db
        .query_one(&stmt, &[&company, &name, &except])
        .await?
        .get(0))
}

/// The editable fields of a case.
#[derive(Debug)]
pub struct CaseForm {
    pub case_name: String,
    pub customer_name: String,
    /// `None`: the default avatar on create, the stored one on update.
    pub headimgurl: Option<String>,
    /// `None`: `[]` on create, the stored value on update.
    pub cover_picture: Option<Value>,
    pub status: i16,
    /// `None` on update keeps the tags.
    pub tag_ids: Option<Vec<i64>>,
}

/// Creates a case of `company` written by admin `author`, with its tags; returns its id. Run it in
/// a transaction.
pub async fn insert_case(
    db: &impl GenericClient,
    company: i64,
    author: i64,
    c: &CaseForm,
) -> Result<i64, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin_case/case_insert")).await?;
    let cover = c.cover_picture.clone().unwrap_or(Value::Array(vec![]));
    let id: i64 = db
        .query_one(
            &stmt,
            &[
                &company,
                &author,
                &c.case_name,
                &c.customer_name,
                &c.headimgurl,
                &cover,
                &c.status,
            ],
        )
        .await?
        .get(0);
    if let Some(tags) = &c.tag_ids {
        link_tags(db, id, tags).await?;
    }
    Ok(id)
}

/// Edits a live case and, when given, replaces its tags (only newly linked tags count a use);
/// returns whether it existed. Run it in a transaction.
pub async fn update_case(
    db: &impl GenericClient,
    id: i64,
    c: &CaseForm,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin_case/case_update")).await?;
    let n = db
        .execute(
            &stmt,
            &[
                &id,
                &c.case_name,
                &c.customer_name,
                &c.headimgurl,
                &c.cover_picture,
                &c.status,
            ],
        )
        .await?;
    if n == 1 {
        if let Some(tags) = &c.tag_ids {
            let stmt = db
                .prepare_cached(sql!("admin_case/case_clear_tags"))
                .await?;
            db.execute(&stmt, &[&id, tags]).await?;
            link_tags(db, id, tags).await?;
        }
    }
    Ok(n == 1)
}

async fn link_tags(
    db: &impl GenericClient,
    case: i64,
    tags: &[i64],
) -> Result<(), tokio_postgres::Error> {
    if tags.is_empty() {
        return Ok(());
    }
    let stmt = db.prepare_cached(sql!("admin_case/case_link_tags")).await?;
    db.execute(&stmt, &[&case, &tags]).await?;
    Ok(())
}

/// Logically deletes a live case and its diaries; returns whether it existed.
pub async fn delete_case(db: &impl GenericClient, id: i64) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin_case/case_delete")).await?;
    Ok(db.query_opt(&stmt, &[&id]).await?.is_some())
}
