//! `radar_users` (cards) and their departments as the back office manages them (spec §9.3).
//! Deleted radar users (status 3) are invisible here and free their username and login name.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;

use crate::sql;

/// One row of the radar-user list.
#[derive(Debug)]
pub struct RadarUserRow {
    pub id: i64,
    pub userid: String,
    pub username: String,
    pub create_date: DateTime<Utc>,
    pub last_login_date: Option<DateTime<Utc>>,
    pub position: String,
    pub mingpian_phone: Option<String>,
    pub wechat_phone: Option<String>,
    pub avatar: String,
    pub card_avatar: Option<String>,
    pub qr_code: Option<String>,
    pub company: String,
    pub company_id: i64,
    pub gender: i16,
    pub status: i16,
    pub boss_status: i16,
    pub article_admin_status: i16,
    pub department_ids: Vec<i64>,
    pub department_names: String,
}

/// Filters and page of the radar-user list.
#[derive(Debug, Default)]
pub struct RadarUserFilter<'a> {
    pub username: Option<&'a str>,
    pub position: Option<&'a str>,
    pub department: Option<i64>,
    pub status: Option<i16>,
    pub limit: Option<i64>,
    pub offset: i64,
}

/// A page of `company`'s radar users and their total count.
pub async fn list(
    db: &impl GenericClient,
    company: i64,
    f: &RadarUserFilter<'_>,
) -> Result<(Vec<RadarUserRow>, i64), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/radar_user_list")).await?;
    let rows = db
        .query(
            &stmt,
            &[
                &company,
                &f.username,
                &f.position,
                &f.department,
                &f.status,
                &f.limit,
                &f.offset,
            ],
        )
        .await?;
    Ok(super::page(&rows, row))
}

fn row(r: &tokio_postgres::Row) -> RadarUserRow {
    RadarUserRow {
        id: r.get("id"),
        userid: r.get("userid"),
        username: r.get("username"),
        create_date: r.get("create_date"),
        last_login_date: r.get("last_login_date"),
        position: r.get("position"),
        mingpian_phone: r.get("mingpian_phone"),
        wechat_phone: r.get("wechat_phone"),
        avatar: r.get("avatar"),
        card_avatar: r.get("card_avatar"),
        qr_code: r.get("qr_code"),
        company: r.get("company"),
        company_id: r.get("company_id"),
        gender: r.get("gender"),
        status: r.get("status"),
        boss_status: r.get("boss_status"),
        article_admin_status: r.get("article_admin_status"),
        department_ids: r.get("department_ids"),
        department_names: r.get("department_names"),
    }
}

/// Company `company`'s departments as `(id, name, parent_id)`.
pub async fn departments(
    db: &impl GenericClient,
    company: i64,
) -> Result<Vec<(i64, String, Option<i64>)>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/department_list")).await?;
    let rows = db.query(&stmt, &[&company]).await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

/// Whether every id of `ids` (distinct) is a department of `company`.
pub async fn departments_belong(
    db: &impl GenericClient,
    company: i64,
    ids: &[i64],
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/department_count_in")).await?;
    let n: i64 = db.query_one(&stmt, &[&company, &ids]).await?.get(0);
    Ok(usize::try_from(n).is_ok_and(|n| n == ids.len()))
}

/// The company of a radar user that is not deleted.
pub async fn company_of(
    db: &impl GenericClient,
    id: i64,
) -> Result<Option<i64>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/radar_user_company")).await?;
    Ok(db.query_opt(&stmt, &[&id]).await?.map(|r| r.get(0)))
}

/// The company and login name of a radar user that is not deleted.
pub async fn identity(
    db: &impl GenericClient,
    id: i64,
) -> Result<Option<(i64, Option<String>)>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/radar_user_identity")).await?;
    Ok(db
        .query_opt(&stmt, &[&id])
        .await?
        .map(|r| (r.get(0), r.get(1))))
}

/// Locks the company row (so concurrent creations queue) and returns `(quota, used)`; `None` for
/// a missing or deleted company. Call inside a transaction.
pub async fn lock_quota(
    db: &impl GenericClient,
    company: i64,
) -> Result<Option<(i16, i64)>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/company_lock_quota")).await?;
    let Some(quota) = db.query_opt(&stmt, &[&company]).await?.map(|r| r.get(0)) else {
        return Ok(None);
    };
    let stmt = db.prepare_cached(sql!("admin/radar_user_count")).await?;
    let used: i64 = db.query_one(&stmt, &[&company]).await?.get(0);
    Ok(Some((quota, used)))
}

/// Whether another live radar user of `company` (not `except`) is called `username`.
pub async fn name_taken(
    db: &impl GenericClient,
    company: i64,
    username: &str,
    except: Option<i64>,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db
        .prepare_cached(sql!("admin/radar_user_name_taken"))
        .await?;
    Ok(db
        .query_one(&stmt, &[&company, &username, &except])
        .await?
        .get(0))
}

/// Whether a live radar user logs in as `login_user`.
pub async fn login_taken(
    db: &impl GenericClient,
    login_user: &str,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db
        .prepare_cached(sql!("admin/radar_user_login_taken"))
        .await?;
    Ok(db.query_one(&stmt, &[&login_user]).await?.get(0))
}

/// A radar user as an admin creates it.
#[derive(Debug)]
pub struct NewRadarUser<'a> {
    pub company_id: i64,
    pub username: &'a str,
    pub login_user: &'a str,
    pub password_hash: &'a str,
    pub token: &'a str,
    pub userid: &'a str,
    pub position: &'a str,
    pub wechat_phone: Option<&'a str>,
    pub mingpian_phone: Option<&'a str>,
    pub wechat: Option<&'a str>,
}

/// Creates a disabled radar user; returns its id.
pub async fn insert(
    db: &impl GenericClient,
    u: &NewRadarUser<'_>,
) -> Result<i64, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/radar_user_insert")).await?;
    let row = db
        .query_one(
            &stmt,
            &[
                &u.company_id,
                &u.username,
                &u.login_user,
                &u.password_hash,
                &u.token,
                &u.userid,
                &u.position,
                &u.wechat_phone,
                &u.mingpian_phone,
                &u.wechat,
            ],
        )
        .await?;
    Ok(row.get(0))
}

/// New card fields of a radar user; `None` keeps the stored value.
#[derive(Debug)]
pub struct RadarUserEdit<'a> {
    pub username: &'a str,
    pub position: Option<&'a str>,
    pub wechat_phone: Option<&'a str>,
    pub mingpian_phone: Option<&'a str>,
    pub wechat: Option<&'a str>,
}

/// Updates a live radar user; returns whether it existed.
pub async fn update(
    db: &impl GenericClient,
    id: i64,
    e: &RadarUserEdit<'_>,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/radar_user_update")).await?;
    let n = db
        .execute(
            &stmt,
            &[
                &id,
                &e.username,
                &e.position,
                &e.wechat_phone,
                &e.mingpian_phone,
                &e.wechat,
            ],
        )
        .await?;
    Ok(n == 1)
}

/// Replaces a radar user's departments.
pub async fn set_departments(
    db: &impl GenericClient,
    id: i64,
    departments: &[i64],
) -> Result<(), tokio_postgres::Error> {
    let stmt = db
        .prepare_cached(sql!("admin/radar_user_clear_departments"))
        .await?;
    db.execute(&stmt, &[&id]).await?;
    let stmt = db
        .prepare_cached(sql!("admin/radar_user_add_departments"))
        .await?;
    db.execute(&stmt, &[&id, &departments]).await?;
    Ok(())
}

/// The three switches of a radar user (1 启用, 2 未启用); `None` keeps the stored value.
#[derive(Debug, Default, Clone, Copy)]
pub struct Switches {
    pub status: Option<i16>,
    pub boss_status: Option<i16>,
    pub article_admin_status: Option<i16>,
}

/// Sets a live radar user's switches; returns whether it existed.
pub async fn set_status(
    db: &impl GenericClient,
    id: i64,
    s: Switches,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db
        .prepare_cached(sql!("admin/radar_user_set_status"))
        .await?;
    let n = db
        .execute(
            &stmt,
            &[&id, &s.status, &s.boss_status, &s.article_admin_status],
        )
        .await?;
    Ok(n == 1)
}

/// Logically deletes a live radar user; returns whether it existed.
pub async fn delete(db: &impl GenericClient, id: i64) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/radar_user_delete")).await?;
    Ok(db.execute(&stmt, &[&id]).await? == 1)
}
