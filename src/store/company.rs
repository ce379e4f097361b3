//! `companies` and `mini_program_apps` as the mini-program side reads them.

use deadpool_postgres::GenericClient;

use crate::sql;

/// A company's mini-program app as login needs it.
#[derive(Debug, Clone)]
pub struct LoginApp {
    pub company_id: i64,
    pub appid: Option<String>,
    pub app_secret: Option<String>,
    pub version_num: Option<String>,
}

/// The company (if it exists) and its app (if configured).
pub async fn login_app(
    db: &impl GenericClient,
    company: i64,
) -> Result<Option<LoginApp>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("company/login_app")).await?;
    Ok(db.query_opt(&stmt, &[&company]).await?.map(|r| LoginApp {
        company_id: r.get(0),
        appid: r.get(1),
        app_secret: r.get(2),
        version_num: r.get(3),
    }))
}

/// The enabled radar user of `company` with the fewest customers.
pub async fn least_bound_user(
    db: &impl GenericClient,
    company: i64,
) -> Result<Option<i64>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("company/least_bound_user")).await?;
    Ok(db.query_opt(&stmt, &[&company]).await?.map(|r| r.get(0)))
}

/// A radar user with its company's settings.
#[derive(Debug, Clone)]
pub struct RadarUserCompany {
    pub user_id: i64,
    pub username: String,
    pub company_id: i64,
    pub company: String,
    pub is_customer_unique: bool,
    pub shopping_type: i16,
    pub appid: Option<String>,
}

/// Loads a (not deleted) radar user with its company.
pub async fn of_radar_user(
    db: &impl GenericClient,
    radar_user: i64,
) -> Result<Option<RadarUserCompany>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("company/of_radar_user")).await?;
    Ok(db
        .query_opt(&stmt, &[&radar_user])
        .await?
        .map(|r| RadarUserCompany {
            user_id: r.get("user_id"),
            username: r.get("username"),
            company_id: r.get("company_id"),
            company: r.get("company"),
            is_customer_unique: r.get("is_customer_unique"),
            shopping_type: r.get("shopping_type"),
            appid: r.get("authorization_appid"),
        }))
}
