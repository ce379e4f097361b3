//! `admin_users` as the back office's own account pages see them (spec §9.1): login, the signed
//! caller's tenancy, password changes and the admin list. Bootstrap inserts live in `store::admin`.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;

use crate::sql;

/// What admin login needs of an account.
#[derive(Debug)]
pub struct LoginAdmin {
    pub id: i64,
    pub password: String,
    pub token: String,
    pub status: i16,
    pub username: String,
    pub avatar: String,
    pub last_login_date: Option<DateTime<Utc>>,
    pub is_reset_password: bool,
    pub company_id: i64,
    pub role_id: i64,
    pub role_name: String,
    pub company_name: String,
    pub company_status: i16,
    pub account_expired_time: Option<DateTime<Utc>>,
    pub wechat_qr_code: Option<String>,
}

/// Looks up an admin by login name. SQL: sql/admin/account_login.sql.
pub async fn by_login(
    db: &impl GenericClient,
    login_user: &str,
) -> Result<Option<LoginAdmin>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/account_login")).await?;
    Ok(db
        .query_opt(&stmt, &[&login_user])
        .await?
        .map(|r| LoginAdmin {
            id: r.get("id"),
            password: r.get("password"),
            token: r.get("token"),
            status: r.get("status"),
            username: r.get("username"),
            avatar: r.get("avatar"),
            last_login_date: r.get("last_login_date"),
            is_reset_password: r.get("is_reset_password"),
            company_id: r.get("company_id"),
            role_id: r.get("role_id"),
            role_name: r.get("role_name"),
            company_name: r.get("company_name"),
            company_status: r.get("company_status"),
            account_expired_time: r.get("account_expired_time"),
            wechat_qr_code: r.get("wechat_qr_code"),
        }))
}

/// Records a login (upgrading a legacy hash, creating an empty token) and returns the token.
pub async fn touch_login(
    db: &impl GenericClient,
    id: i64,
    upgraded_hash: Option<&str>,
    new_token: &str,
) -> Result<String, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/account_touch_login")).await?;
    let row = db
        .query_one(&stmt, &[&id, &upgraded_hash, &new_token])
        .await?;
    Ok(row.get(0))
}

/// The signed admin's `(company_id, role_id, login_user)`; `None` for a disabled admin or a
/// deleted company.
pub async fn caller(
    db: &impl GenericClient,
    id: i64,
) -> Result<Option<(i64, i64, String)>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/account_caller")).await?;
    Ok(db
        .query_opt(&stmt, &[&id])
        .await?
        .map(|r| (r.get(0), r.get(1), r.get(2))))
}

/// Stores a new password hash and sets `is_reset_password`.
pub async fn set_password(
    db: &impl GenericClient,
    id: i64,
    hash: &str,
) -> Result<(), tokio_postgres::Error> {
    let stmt = db
        .prepare_cached(sql!("admin/account_set_password"))
        .await?;
    db.execute(&stmt, &[&id, &hash]).await?;
    Ok(())
}

/// One row of the admin list.
#[derive(Debug)]
pub struct AdminRow {
    pub id: i64,
    pub login_user: String,
    pub username: String,
    pub position: Option<String>,
    pub avatar: String,
    pub status: i16,
    pub role_id: i64,
    pub role_name: String,
    pub company_id: i64,
    pub company_name: String,
    pub is_reset_password: bool,
    pub create_date: DateTime<Utc>,
    pub last_login_date: Option<DateTime<Utc>>,
}

/// A page of `company`'s admins and their total count.
pub async fn list(
    db: &impl GenericClient,
    company: i64,
    limit: Option<i64>,
    offset: i64,
) -> Result<(Vec<AdminRow>, i64), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/account_list")).await?;
    let rows = db.query(&stmt, &[&company, &limit, &offset]).await?;
    Ok(super::page(&rows, |r| AdminRow {
        id: r.get("id"),
        login_user: r.get("login_user"),
        username: r.get("username"),
        position: r.get("position"),
        avatar: r.get("avatar"),
        status: r.get("status"),
        role_id: r.get("role_id"),
        role_name: r.get("role_name"),
        company_id: r.get("company_id"),
        company_name: r.get("company_name"),
        is_reset_password: r.get("is_reset_password"),
        create_date: r.get("create_date"),
        last_login_date: r.get("last_login_date"),
    }))
}

/// Whether `login_user` is taken by any admin.
pub async fn login_taken(
    db: &impl GenericClient,
    login_user: &str,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/account_login_taken")).await?;
    Ok(db.query_one(&stmt, &[&login_user]).await?.get(0))
}

/// A new back-office account (admin UI, `radar admin bootstrap`, the demo).
pub struct NewAccount<'a> {
    pub login_user: &'a str,
    pub username: &'a str,
    pub password_hash: &'a str,
    pub company_id: i64,
    pub role_id: i64,
    pub token: &'a str,
    pub position: Option<&'a str>,
}

/// Creates an admin account; returns its id.
pub async fn insert(
    db: &impl GenericClient,
    a: &NewAccount<'_>,
) -> Result<i64, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/account_insert")).await?;
    let row = db
        .query_one(
            &stmt,
            &[
                &a.login_user,
                &a.username,
                &a.password_hash,
                &a.company_id,
                &a.role_id,
                &a.token,
                &a.position,
            ],
        )
        .await?;
    Ok(row.get(0))
}
