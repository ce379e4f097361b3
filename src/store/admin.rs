//! `admin_users` and the companies they manage (back office, spec §9).

use deadpool_postgres::GenericClient;

use crate::sql;

/// Creates a company with its quota and service period; returns its id.
pub async fn insert_company(
    db: &impl GenericClient,
    name: &str,
    cards: i16,
    months: i16,
) -> Result<i64, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/insert_company")).await?;
    Ok(db.query_one(&stmt, &[&name, &cards, &months]).await?.get(0))
}

/// A new back-office account.
pub struct NewAdmin<'a> {
    pub login_user: &'a str,
    pub username: &'a str,
    pub password_hash: &'a str,
    pub company_id: i64,
    pub role_id: i64,
    pub token: &'a str,
}

/// Creates an admin user; returns its id.
pub async fn insert_admin(
    db: &impl GenericClient,
    a: &NewAdmin<'_>,
) -> Result<i64, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("admin/insert_admin")).await?;
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
            ],
        )
        .await?;
    Ok(row.get(0))
}
