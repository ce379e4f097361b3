//! `products`: the catalog shown on cards (spec §3.5).

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use serde_json::Value;

use crate::sql;

/// A product row.
#[derive(Debug, Clone)]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub price: String,
    pub reason: String,
    /// Full `content` for a single product; only `cover_data` in lists.
    pub content: Value,
    pub status: i16,
    pub create_date: DateTime<Utc>,
}

/// Status labels (spec §3.5).
pub fn status_label(status: i16) -> &'static str {
    match status {
        1 => "已发布",
        2 => "已下架",
        3 => "推荐",
        _ => "",
    }
}

/// One product of `company`.
pub async fn single(
    db: &impl GenericClient,
    id: i64,
    company: i64,
) -> Result<Option<Product>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("product/single")).await?;
    Ok(db
        .query_opt(&stmt, &[&id, &company])
        .await?
        .map(|r| Product {
            id: r.get("id"),
            name: r.get("name"),
            price: r.get("price"),
            reason: r.get("reason"),
            content: r.get("content"),
            status: r.get("status"),
            create_date: r.get("create_date"),
        }))
}

/// A page of the products on `radar_user`'s card and the total count.
pub async fn list(
    db: &impl GenericClient,
    company: i64,
    radar_user: i64,
    order: &str,
    limit: Option<i64>,
    offset: i64,
) -> Result<(Vec<Product>, i64), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("product/list")).await?;
    let rows = db
        .query(&stmt, &[&company, &radar_user, &order, &limit, &offset])
        .await?;
    let total = rows.first().map(|r| r.get("total")).unwrap_or(0);
    let list = rows
        .iter()
        .map(|r| Product {
            id: r.get("id"),
            name: r.get("name"),
            price: r.get("price"),
            reason: r.get("reason"),
            content: r
                .get::<_, Option<Value>>("cover_data")
                .unwrap_or(Value::Null),
            status: r.get("status"),
            create_date: r.get("create_date"),
        })
        .collect();
    Ok((list, total))
}

/// The company's website blob.
pub async fn website(
    db: &impl GenericClient,
    company: i64,
) -> Result<Value, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("website/content")).await?;
    Ok(db
        .query_opt(&stmt, &[&company])
        .await?
        .map(|r| r.get(0))
        .unwrap_or(Value::Array(vec![])))
}
