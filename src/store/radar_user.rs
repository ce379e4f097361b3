//! `radar_users` as the radar side's own login sees them.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;

use crate::sql;

/// What radar login needs of an account.
#[derive(Debug)]
pub struct LoginAccount {
    pub id: i64,
    pub username: String,
    pub position: String,
    pub password: Option<String>,
    pub token: String,
    pub status: i16,
    pub company_id: i64,
    pub avatar: String,
    pub card_avatar: Option<String>,
    pub last_login_date: Option<DateTime<Utc>>,
    pub account_expired_time: Option<DateTime<Utc>>,
}

/// Looks up a (not deleted) radar user by login name.
pub async fn by_login(
    db: &impl GenericClient,
    login_user: &str,
) -> Result<Option<LoginAccount>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("radar_user/by_login")).await?;
    Ok(db
        .query_opt(&stmt, &[&login_user])
        .await?
        .map(|r| LoginAccount {
            id: r.get("id"),
            username: r.get("username"),
            position: r.get("position"),
            password: r.get("password"),
            token: r.get("token"),
            status: r.get("status"),
            company_id: r.get("company_id"),
            avatar: r.get("avatar"),
            card_avatar: r.get("card_avatar"),
            last_login_date: r.get("last_login_date"),
            account_expired_time: r.get("account_expired_time"),
        }))
}

/// Records a login; stores `upgraded_hash` when the password was a legacy md5.
pub async fn touch_login(
    db: &impl GenericClient,
    id: i64,
    upgraded_hash: Option<&str>,
) -> Result<(), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("radar_user/touch_login")).await?;
    db.execute(&stmt, &[&id, &upgraded_hash]).await?;
    Ok(())
}

/// A radar user a simulated customer can bind to.
#[derive(Debug, Clone)]
pub struct CardOwner {
    pub id: i64,
    pub username: String,
    pub position: String,
}

/// The enabled radar users of `company`, oldest first (the console's customer simulator).
pub async fn enabled_of_company(
    db: &impl GenericClient,
    company: i64,
) -> Result<Vec<CardOwner>, tokio_postgres::Error> {
    let stmt = db
        .prepare_cached(sql!("radar_user/enabled_of_company"))
        .await?;
    Ok(db
        .query(&stmt, &[&company])
        .await?
        .iter()
        .map(|r| CardOwner {
            id: r.get("id"),
            username: r.get("username"),
            position: r.get("position"),
        })
        .collect())
}
