//! `companies` and `mini_program_apps` as the back office edits them (spec §9.2). Soft-deleted
//! companies (status 3) are invisible here.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;

use crate::sql;

/// One row of the company list, with its counts.
#[derive(Debug)]
pub struct CompanyRow {
    pub id: i64,
    pub name: String,
    pub charging_start_time: Option<DateTime<Utc>>,
    pub open_length_time: Option<i16>,
    pub mingpian_available_num: i16,
    pub remarks: Option<String>,
    pub create_date: DateTime<Utc>,
    pub is_show_jszc: i16,
    pub account_expired_time: Option<DateTime<Utc>>,
    pub product_function_type: i16,
    pub xcx_qr_code: Option<String>,
    pub admin_is_hidden: i16,
    pub user_count: i64,
    pub customer_num: i64,
}

/// Filters and page of the company list.
#[derive(Debug, Default)]
pub struct CompanyFilter<'a> {
    pub name: Option<&'a str>,
    pub admin_is_hidden: Option<i16>,
    /// Only this company (callers who are not super-admins).
    pub only: Option<i64>,
    pub order: &'a str,
    pub limit: Option<i64>,
    pub offset: i64,
}

/// A page of live companies and their total count.
pub async fn list(
    db: &impl GenericClient,
    f: &CompanyFilter<'_>,
) -> Result<(Vec<CompanyRow>, i64), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/company_list")).await?;
    let rows = db
        .query(
            &stmt,
            &[
                &f.name,
                &f.admin_is_hidden,
                &f.only,
                &f.order,
                &f.limit,
                &f.offset,
            ],
        )
        .await?;
    Ok(super::page(&rows, |r| CompanyRow {
        id: r.get("id"),
        name: r.get("name"),
        charging_start_time: r.get("charging_start_time"),
        open_length_time: r.get("open_length_time"),
        mingpian_available_num: r.get("mingpian_available_num"),
        remarks: r.get("remarks"),
        create_date: r.get("create_date"),
        is_show_jszc: r.get("is_show_jszc"),
        account_expired_time: r.get("account_expired_time"),
        product_function_type: r.get("product_function_type"),
        xcx_qr_code: r.get("xcx_qr_code"),
        admin_is_hidden: r.get("admin_is_hidden"),
        user_count: r.get("user_count"),
        customer_num: r.get("customer_num"),
    }))
}

/// Whether a live company other than `except` is called `name`.
pub async fn name_taken(
    db: &impl GenericClient,
    name: &str,
    except: Option<i64>,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/company_name_taken")).await?;
    Ok(db.query_one(&stmt, &[&name, &except]).await?.get(0))
}

/// Whether company `id` exists and is not deleted.
pub async fn exists(db: &impl GenericClient, id: i64) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/company_exists")).await?;
    Ok(db.query_one(&stmt, &[&id]).await?.get(0))
}

/// The editable fields of a company (create and update).
#[derive(Debug)]
pub struct CompanyForm {
    pub name: String,
    pub charging_start_time: DateTime<Utc>,
    pub open_length_time: i16,
    pub account_expired_time: DateTime<Utc>,
    pub mingpian_available_num: i16,
    pub product_function_type: i16,
    pub remarks: Option<String>,
    pub xcx_qr_code: Option<String>,
    pub admin_is_hidden: Option<i16>,
}

/// Creates a company; returns its id.
pub async fn insert(
    db: &impl GenericClient,
    c: &CompanyForm,
) -> Result<i64, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/company_insert")).await?;
    let row = db
        .query_one(
            &stmt,
            &[
                &c.name,
                &c.charging_start_time,
                &c.open_length_time,
                &c.account_expired_time,
                &c.mingpian_available_num,
                &c.product_function_type,
                &c.remarks,
                &c.xcx_qr_code,
                &c.admin_is_hidden.unwrap_or(1),
            ],
        )
        .await?;
    Ok(row.get(0))
}

/// Updates a live company; returns whether it existed.
pub async fn update(
    db: &impl GenericClient,
    id: i64,
    c: &CompanyForm,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/company_update")).await?;
    let n = db
        .execute(
            &stmt,
            &[
                &id,
                &c.name,
                &c.charging_start_time,
                &c.open_length_time,
                &c.account_expired_time,
                &c.mingpian_available_num,
                &c.product_function_type,
                &c.remarks,
                &c.xcx_qr_code,
                &c.admin_is_hidden,
            ],
        )
        .await?;
    Ok(n == 1)
}

/// Soft-deletes a live company; returns whether it existed.
pub async fn delete(db: &impl GenericClient, id: i64) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/company_delete")).await?;
    Ok(db.execute(&stmt, &[&id]).await? == 1)
}

/// One of the company's switches.
#[derive(Debug, Clone, Copy)]
pub enum Switch {
    /// `shopping_type`: 1 产品, 2 商城.
    ShoppingType(i16),
    /// `is_show_jszc`: 1 展示, 2 不展示.
    ShowSupport(i16),
    /// `is_customer_unique`.
    CustomerUnique(bool),
}

/// Sets one switch of a live company; returns whether it existed.
pub async fn set_switch(
    db: &impl GenericClient,
    id: i64,
    switch: Switch,
) -> Result<bool, tokio_postgres::Error> {
    let n = match switch {
        Switch::ShoppingType(v) => {
            let stmt = db
                .prepare_cached(sql!("admin/company_set_shopping_type"))
                .await?;
            db.execute(&stmt, &[&id, &v]).await?
        }
        Switch::ShowSupport(v) => {
            let stmt = db.prepare_cached(sql!("admin/company_set_jszc")).await?;
            db.execute(&stmt, &[&id, &v]).await?
        }
        Switch::CustomerUnique(v) => {
            let stmt = db
                .prepare_cached(sql!("admin/company_set_customer_unique"))
                .await?;
            db.execute(&stmt, &[&id, &v]).await?
        }
    };
    Ok(n == 1)
}

/// The mini-program app settings an admin may save.
#[derive(Debug)]
pub struct AppForm {
    pub authorization_appid: String,
    pub app_secret: Option<String>,
    pub template_id: Option<String>,
    pub version_num: Option<String>,
    pub three_services_type: i16,
    /// The subscribe-message template of offline notifications (issue 13).
    pub subscribe_template_id: Option<String>,
    /// Its field mapping (`wechat::subscribe`).
    pub subscribe_fields: Option<serde_json::Value>,
}

/// Creates or updates the company's mini-program app.
pub async fn upsert_app(
    db: &impl GenericClient,
    company: i64,
    a: &AppForm,
) -> Result<(), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/company_upsert_app")).await?;
    db.execute(
        &stmt,
        &[
            &company,
            &a.authorization_appid,
            &a.app_secret,
            &a.template_id,
            &a.version_num,
            &a.three_services_type,
            &a.subscribe_template_id,
            &a.subscribe_fields,
        ],
    )
    .await?;
    Ok(())
}

/// A live company's card quota (`mingpian_available_num`).
pub async fn quota(db: &impl GenericClient, id: i64) -> Result<Option<i16>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/company_quota")).await?;
    Ok(db.query_opt(&stmt, &[&id]).await?.map(|r| r.get(0)))
}
