//! `products` as the back office manages them (spec §9.4). Every query is scoped to one company.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use serde_json::Value;

use crate::sql;

/// A product row with its publisher (the owner radar user's name, or the company's).
#[derive(Debug, Clone)]
pub struct AdminProduct {
    pub id: i64,
    pub name: String,
    pub price: String,
    /// Full `content` for a single product; only `cover_data` in lists.
    pub content: Value,
    pub status: i16,
    pub recommend_index: i16,
    pub create_date: DateTime<Utc>,
    pub publisher: String,
}

/// Filters and page of the product list.
#[derive(Debug)]
pub struct ProductFilter<'a> {
    /// `product_type` 2: radar users' own products; 1: company products.
    pub personal: bool,
    pub name: Option<&'a str>,
    pub statuses: &'a [i16],
    pub order: &'a str,
    pub limit: Option<i64>,
    pub offset: i64,
}

/// A page of `company`'s products and their total count.
pub async fn list(
    db: &impl GenericClient,
    company: i64,
    f: &ProductFilter<'_>,
) -> Result<(Vec<AdminProduct>, i64), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/product_list")).await?;
    let rows = db
        .query(
            &stmt,
            &[
                &company,
                &f.personal,
                &f.name,
                &f.statuses,
                &f.order,
                &f.limit,
                &f.offset,
            ],
        )
        .await?;
    Ok(super::page(&rows, |r| AdminProduct {
        id: r.get("id"),
        name: r.get("name"),
        price: r.get("price"),
        content: r
            .get::<_, Option<Value>>("cover_data")
            .unwrap_or(Value::Null),
        status: r.get("status"),
        recommend_index: r.get("recommend_index"),
        create_date: r.get("create_date"),
        publisher: r.get("publisher"),
    }))
}

/// One product with its reason and owner.
#[derive(Debug, Clone)]
pub struct ProductDetail {
    pub product: AdminProduct,
    pub reason: String,
    /// The owner radar user, for personal products.
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub position: Option<String>,
    /// The owner's card avatar, else its `avatar`.
    pub user_avatar: Option<String>,
}

/// One product of `company`.
pub async fn single(
    db: &impl GenericClient,
    company: i64,
    id: i64,
) -> Result<Option<ProductDetail>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/product_single")).await?;
    Ok(db.query_opt(&stmt, &[&company, &id]).await?.map(|r| {
        let card: Option<String> = r.get("card_avatar");
        ProductDetail {
            product: AdminProduct {
                id: r.get("id"),
                name: r.get("name"),
                price: r.get("price"),
                content: r.get("content"),
                status: r.get("status"),
                recommend_index: r.get("recommend_index"),
                create_date: r.get("create_date"),
                publisher: r.get("publisher"),
            },
            reason: r.get("reason"),
            user_id: r.get("user_id"),
            username: r.get("username"),
            position: r.get("position"),
            user_avatar: card.or_else(|| r.get("avatar")),
        }
    }))
}

/// The company of a product.
pub async fn company_of(
    db: &impl GenericClient,
    id: i64,
) -> Result<Option<i64>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/product_company")).await?;
    Ok(db.query_opt(&stmt, &[&id]).await?.map(|r| r.get(0)))
}

/// Whether `company` has another product (not `except`) called `name`.
pub async fn name_taken(
    db: &impl GenericClient,
    company: i64,
    name: &str,
    except: Option<i64>,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/product_name_taken")).await?;
    Ok(db
        .query_one(&stmt, &[&company, &name, &except])
        .await?
        .get(0))
}

/// A product as an admin creates it.
#[derive(Debug)]
pub struct NewProduct<'a> {
    pub company_id: i64,
    /// The owner radar user (personal product), or `None` (company product).
    pub user_id: Option<i64>,
    pub name: &'a str,
    pub price: &'a str,
    pub reason: &'a str,
    pub content: &'a Value,
}

/// Creates a product; returns its id.
pub async fn insert(
    db: &impl GenericClient,
    p: &NewProduct<'_>,
) -> Result<i64, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/product_insert")).await?;
    let row = db
        .query_one(
            &stmt,
            &[
                &p.company_id,
                &p.user_id,
                &p.name,
                &p.price,
                &p.reason,
                &p.content,
            ],
        )
        .await?;
    Ok(row.get(0))
}

/// New fields of a product; `None` keeps the stored value.
#[derive(Debug)]
pub struct ProductEdit<'a> {
    pub name: &'a str,
    pub price: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub content: Option<&'a Value>,
}

/// Updates a product.
pub async fn update(
    db: &impl GenericClient,
    id: i64,
    e: &ProductEdit<'_>,
) -> Result<(), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/product_update")).await?;
    db.execute(&stmt, &[&id, &e.name, &e.price, &e.reason, &e.content])
        .await?;
    Ok(())
}

/// Deletes the products `ids` (distinct) of `company`, all or none; returns whether it did.
pub async fn delete(
    db: &impl GenericClient,
    company: i64,
    ids: &[i64],
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/product_delete")).await?;
    let rows = db.query(&stmt, &[&company, &ids]).await?;
    Ok(!ids.is_empty() && rows.len() == ids.len())
}

/// Sets the status of the products `ids` (distinct) of `company`, all or none; returns whether it
/// did.
pub async fn set_status(
    db: &impl GenericClient,
    company: i64,
    ids: &[i64],
    status: i16,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/product_set_status")).await?;
    let rows = db.query(&stmt, &[&company, &ids, &status]).await?;
    Ok(!ids.is_empty() && rows.len() == ids.len())
}

/// Sets a product's `recommend_index`.
pub async fn set_recommend(
    db: &impl GenericClient,
    id: i64,
    index: i16,
) -> Result<(), tokio_postgres::Error> {
    let stmt = db
        .prepare_cached(sql!("admin/product_set_recommend"))
        .await?;
    db.execute(&stmt, &[&id, &index]).await?;
    Ok(())
}
