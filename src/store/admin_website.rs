//! The company website blob (`companies.website_content`) and `website_templates`, as the back
//! office edits them (spec §9.5). JSON arrives as text and is cast by PostgreSQL, so what is stored
//! is exactly the client's document (in jsonb's canonical form).

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use serde_json::Value;

use crate::sql;

/// A company's website, or a template: id, name, JSON document and creation time.
#[derive(Debug, Clone)]
pub struct Document {
    pub id: i64,
    pub name: String,
    pub content: Value,
    pub create_date: DateTime<Utc>,
}

/// A live company's website.
pub async fn show(
    db: &impl GenericClient,
    company: i64,
) -> Result<Option<Document>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/website_show")).await?;
    Ok(db.query_opt(&stmt, &[&company]).await?.map(|r| Document {
        id: r.get("id"),
        name: r.get("name"),
        content: r.get("website_content"),
        create_date: r.get("create_date"),
    }))
}

/// Stores a live company's website from JSON text; returns whether the company exists.
pub async fn save(
    db: &impl GenericClient,
    company: i64,
    json_text: &str,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/website_save")).await?;
    Ok(db.execute(&stmt, &[&company, &json_text]).await? == 1)
}

/// A page of templates and their total count.
pub async fn templates(
    db: &impl GenericClient,
    limit: Option<i64>,
    offset: i64,
) -> Result<(Vec<Document>, i64), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/template_list")).await?;
    let rows = db.query(&stmt, &[&limit, &offset]).await?;
    Ok(super::page(&rows, |r| Document {
        id: r.get("id"),
        name: r.get("name"),
        content: r.get("template_content"),
        create_date: r.get("create_date"),
    }))
}

/// Creates a template from JSON text; returns its id.
pub async fn insert_template(
    db: &impl GenericClient,
    name: &str,
    json_text: &str,
) -> Result<i64, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/template_insert")).await?;
    Ok(db.query_one(&stmt, &[&name, &json_text]).await?.get(0))
}

/// Updates a template; returns whether it exists.
pub async fn update_template(
    db: &impl GenericClient,
    id: i64,
    name: &str,
    json_text: &str,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/template_update")).await?;
    Ok(db.execute(&stmt, &[&id, &name, &json_text]).await? == 1)
}

/// Deletes a template; returns whether it existed.
pub async fn delete_template(
    db: &impl GenericClient,
    id: i64,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/template_delete")).await?;
    Ok(db.execute(&stmt, &[&id]).await? == 1)
}
