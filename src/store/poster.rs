//! What a (radar user, customer) pair's poster is made of, and where its generated files are
//! recorded (`customer_bindings.qr_code` / `poster_url`, spec §4.3).

use deadpool_postgres::GenericClient;

use crate::sql;

/// The inputs of one pair's code and poster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairInputs {
    pub username: String,
    pub position: String,
    pub mingpian_phone: Option<String>,
    pub wechat_phone: Option<String>,
    pub is_show_phone: bool,
    /// The card avatar (newest type-2 photo), else the profile avatar.
    pub avatar: String,
    pub company: String,
    /// The company's mini-program app, when configured.
    pub appid: Option<String>,
    pub app_secret: Option<String>,
    /// 1 card app, 2 case app.
    pub three_services_type: i16,
    pub qr_code: Option<String>,
    pub poster_url: Option<String>,
}

/// The pair's inputs; `None` when they are not bound or the radar user is deleted.
pub async fn pair_inputs(
    db: &impl GenericClient,
    radar_user: i64,
    customer: i64,
) -> Result<Option<PairInputs>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("poster/pair_inputs")).await?;
    Ok(db
        .query_opt(&stmt, &[&radar_user, &customer])
        .await?
        .map(|r| PairInputs {
            username: r.get("username"),
            position: r.get("position"),
            mingpian_phone: r.get("mingpian_phone"),
            wechat_phone: r.get("wechat_phone"),
            is_show_phone: r.get("is_show_phone"),
            avatar: r.get("avatar"),
            company: r.get("company"),
            appid: r.get("appid"),
            app_secret: r.get("app_secret"),
            three_services_type: r.get("three_services_type"),
            qr_code: r.get("qr_code"),
            poster_url: r.get("poster_url"),
        }))
}

/// Records the pair's code image (relative path).
pub async fn set_qr_code(
    db: &impl GenericClient,
    radar_user: i64,
    customer: i64,
    path: &str,
) -> Result<(), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("poster/set_qr_code")).await?;
    db.execute(&stmt, &[&radar_user, &customer, &path]).await?;
    Ok(())
}

/// Records the pair's poster image (relative path).
pub async fn set_poster_url(
    db: &impl GenericClient,
    radar_user: i64,
    customer: i64,
    path: &str,
) -> Result<(), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("poster/set_poster_url")).await?;
    db.execute(&stmt, &[&radar_user, &customer, &path]).await?;
    Ok(())
}
