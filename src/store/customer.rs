//! `customers` and their per-customer rows (profiles, formIds).

use deadpool_postgres::GenericClient;

use crate::sql;

/// A customer as handlers need it.
#[derive(Debug, Clone)]
pub struct Customer {
    pub id: i64,
    pub company_id: Option<i64>,
    pub username: Option<String>,
    pub headimgurl: String,
    pub phone: Option<String>,
    pub session_key: Option<String>,
    pub user_type: i16,
    pub is_subscribe: Option<i16>,
}

impl Customer {
    /// The display name; the original's fallback for a missing name is `客户ID<id>`.
    pub fn name(&self) -> String {
        self.username
            .clone()
            .unwrap_or_else(|| format!("客户ID{}", self.id))
    }
}

/// Loads one customer.
pub async fn get(
    db: &impl GenericClient,
    id: i64,
) -> Result<Option<Customer>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("customer/get")).await?;
    Ok(db.query_opt(&stmt, &[&id]).await?.map(|r| Customer {
        id: r.get("id"),
        company_id: r.get("company_id"),
        username: r.get("username"),
        headimgurl: r.get("headimgurl"),
        phone: r.get("phone"),
        session_key: r.get("session_key"),
        user_type: r.get("user_type"),
        is_subscribe: r.get("is_subscribe"),
    }))
}

/// What a WeChat login learned about a customer.
pub struct LoginIdentity<'a> {
    pub company_id: i64,
    pub openid: &'a str,
    pub user_type: i16,
    pub session_key: &'a str,
    pub unionid: Option<&'a str>,
    /// Used only when the customer is new.
    pub new_token: &'a str,
}

/// Finds or creates the customer; returns `(id, token)`.
pub async fn upsert_login(
    db: &impl GenericClient,
    who: &LoginIdentity<'_>,
) -> Result<(i64, String), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("customer/upsert_login")).await?;
    let r = db
        .query_one(
            &stmt,
            &[
                &who.company_id,
                &who.openid,
                &who.user_type,
                &who.session_key,
                &who.unionid,
                &who.new_token,
            ],
        )
        .await?;
    Ok((r.get(0), r.get(1)))
}

/// The authorized WeChat profile of `send_user_info`.
#[derive(Debug, Default)]
pub struct Profile {
    pub nickname: String,
    pub avatar: Option<String>,
    pub city: Option<String>,
    pub province: Option<String>,
    pub country: Option<String>,
    pub language: Option<String>,
}

/// Stores the profile.
pub async fn update_profile(
    db: &impl GenericClient,
    id: i64,
    p: &Profile,
) -> Result<(), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("customer/update_profile")).await?;
    db.execute(
        &stmt,
        &[
            &id,
            &p.nickname,
            &p.avatar,
            &p.city,
            &p.province,
            &p.country,
            &p.language,
        ],
    )
    .await?;
    Ok(())
}

/// Upserts the (customer, radar user) profile row with the gender.
pub async fn upsert_sex(
    db: &impl GenericClient,
    customer: i64,
    radar_user: i64,
    sex: Option<i16>,
) -> Result<(), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("customer/upsert_sex")).await?;
    db.execute(&stmt, &[&customer, &radar_user, &sex]).await?;
    Ok(())
}

/// Stores a formId (de-duplicated) and purges the customer's expired ones.
pub async fn add_form_id(
    db: &impl GenericClient,
    customer: i64,
    form_id: &str,
) -> Result<(), tokio_postgres::Error> {
    let purge = db.prepare_cached(sql!("customer/purge_form_ids")).await?;
    db.execute(&purge, &[&customer]).await?;
    let stmt = db.prepare_cached(sql!("customer/add_form_id")).await?;
    db.execute(&stmt, &[&customer, &form_id]).await?;
    Ok(())
}

/// Locks the customer row (serializes bindings of one customer).
pub async fn lock(db: &impl GenericClient, id: i64) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("customer/lock")).await?;
    Ok(db.query_opt(&stmt, &[&id]).await?.is_some())
}

/// Moves the customer to `company`.
pub async fn set_company(
    db: &impl GenericClient,
    id: i64,
    company: i64,
) -> Result<(), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("customer/set_company")).await?;
    db.execute(&stmt, &[&id, &company]).await?;
    Ok(())
}

/// A customer as a radar user of the same company sees them (console profile panel).
#[derive(Debug, Clone)]
pub struct RadarView {
    pub customer: Customer,
    pub city: Option<String>,
    pub province: Option<String>,
    pub country: Option<String>,
    pub create_date: chrono::DateTime<chrono::Utc>,
    /// Binding source (1 扫码, 2 转发, …) when the pair is bound.
    pub source: Option<i16>,
    pub bound_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_activity_time: Option<chrono::DateTime<chrono::Utc>>,
    pub note_name: Option<String>,
    pub note_phone: Option<String>,
    pub note_company: Option<String>,
    pub note_position: Option<String>,
    pub mem: Option<String>,
}

/// Customer `customer` as radar user `radar_user` sees them; `None` unless both share a company.
/// SQL: sql/customer/radar_view.sql.
pub async fn radar_view(
    db: &impl GenericClient,
    radar_user: i64,
    customer: i64,
) -> Result<Option<RadarView>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("customer/radar_view")).await?;
    Ok(db
        .query_opt(&stmt, &[&radar_user, &customer])
        .await?
        .map(|r| RadarView {
            customer: Customer {
                id: r.get("id"),
                company_id: None,
                username: r.get("username"),
                headimgurl: r.get("headimgurl"),
                phone: r.get("phone"),
                session_key: None,
                user_type: r.get("user_type"),
                is_subscribe: None,
            },
            city: r.get("city"),
            province: r.get("province"),
            country: r.get("country"),
            create_date: r.get("create_date"),
            source: r.get("source"),
            bound_at: r.get("bound_at"),
            last_activity_time: r.get("last_activity_time"),
            note_name: r.get("note_name"),
            note_phone: r.get("note_phone"),
            note_company: r.get("note_company"),
            note_position: r.get("note_position"),
            mem: r.get("mem"),
        }))
}
