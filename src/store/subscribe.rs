//! `customer_subscribe_grants` and the company's subscribe template (issue 13). The notifier's
//! own statements (take a grant, record WeChat's answer) live in `sql/notify/`.

use deadpool_postgres::GenericClient;

use crate::sql;

/// The company's subscribe template id, when configured.
pub async fn template_of_company(
    db: &impl GenericClient,
    company: i64,
) -> Result<Option<String>, tokio_postgres::Error> {
    let stmt = db
        .prepare_cached(sql!("subscribe/template_of_company"))
        .await?;
    Ok(db
        .query_opt(&stmt, &[&company])
        .await?
        .and_then(|r| r.get::<_, Option<String>>(0))
        .filter(|t| !t.is_empty()))
}

/// Records one one-time grant.
pub async fn add_grant(
    db: &impl GenericClient,
    customer: i64,
    template: &str,
) -> Result<(), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("subscribe/add_grant")).await?;
    db.execute(&stmt, &[&customer, &template]).await?;
    Ok(())
}

/// The customer's unused grants of `template`.
pub async fn unused(
    db: &impl GenericClient,
    customer: i64,
    template: &str,
) -> Result<i64, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("subscribe/unused")).await?;
    Ok(db.query_one(&stmt, &[&customer, &template]).await?.get(0))
}

/// Marks the customer's unused grants of `template` invalid (errcode 43101, as WeChat would say).
pub async fn invalidate(
    db: &impl GenericClient,
    customer: i64,
    template: &str,
) -> Result<(), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("notify/invalidate_grants")).await?;
    db.execute(&stmt, &[&customer, &template, &43101i32])
        .await?;
    Ok(())
}
