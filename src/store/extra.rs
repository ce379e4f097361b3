//! Reads and writes of the undocumented mini-program endpoints (spec §5.9): the company's
//! navigation flags, dialog-box clicks and the customer's own profile.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use serde_json::Value;

use crate::sql;

/// What the bottom navigation depends on.
#[derive(Debug, Clone)]
pub struct NavSettings {
    /// 1 产品, 2 商城.
    pub shopping_type: i16,
    /// 1 展示, 2 不展示 (the "technical support" footer).
    pub is_show_jszc: i16,
    /// The online version of the company's mini-program, if any.
    pub version_num: Option<String>,
}

/// The navigation settings of a (not deleted) company.
#[tracing::instrument(skip_all)]
pub async fn nav_settings(
    db: &impl GenericClient,
    company: i64,
) -> Result<Option<NavSettings>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("extra/nav_settings")).await?;
    Ok(db
        .query_opt(&stmt, &[&company])
        .await?
        .map(|r| NavSettings {
            shopping_type: r.get("shopping_type"),
            is_show_jszc: r.get("is_show_jszc"),
            version_num: r.get("version_num"),
        }))
}

/// Records one click on the chat dialog box.
#[tracing::instrument(skip_all)]
pub async fn record_dialog_click(
    db: &impl GenericClient,
    customer: i64,
    xcx_type: Option<i16>,
) -> Result<(), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("extra/record_dialog_click")).await?;
    db.execute(&stmt, &[&customer, &xcx_type]).await?;
    Ok(())
}

/// The customer's own row with the labels and notes radar users of its company keep on it.
#[derive(Debug, Clone)]
pub struct CustomerProfile {
    pub id: i64,
    pub company_id: Option<i64>,
    pub username: Option<String>,
    pub headimgurl: String,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub province: Option<String>,
    pub country: Option<String>,
    pub language: Option<String>,
    pub create_date: DateTime<Utc>,
    /// `[{id, name}]`.
    pub tags: Value,
    /// `[{user_id, username, sex, phone, email, company, position, address, birthday, mem, note_name}]`.
    pub notes: Value,
}

/// Loads the profile of `customer`.
#[tracing::instrument(skip_all)]
pub async fn customer_profile(
    db: &impl GenericClient,
    customer: i64,
) -> Result<Option<CustomerProfile>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("extra/customer_profile")).await?;
    Ok(db
        .query_opt(&stmt, &[&customer])
        .await?
        .map(|r| CustomerProfile {
            id: r.get("id"),
            company_id: r.get("company_id"),
            username: r.get("username"),
            headimgurl: r.get("headimgurl"),
            phone: r.get("phone"),
            city: r.get("city"),
            province: r.get("province"),
            country: r.get("country"),
            language: r.get("language"),
            create_date: r.get("create_date"),
            tags: r.get("tags"),
            notes: r.get("notes"),
        }))
}
