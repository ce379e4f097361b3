//! `customer_bindings`: which radar user a customer belongs to (spec §3.3).

use deadpool_postgres::GenericClient;

use crate::sql;

/// Whether the pair is bound, or (with `company`) whether the customer is bound to anyone there.
pub async fn exists(
    db: &impl GenericClient,
    radar_user: i64,
    customer: i64,
    unique_in_company: Option<i64>,
) -> Result<bool, tokio_postgres::Error> {
    let found = match unique_in_company {
        Some(company) => {
            let stmt = db.prepare_cached(sql!("binding/exists_in_company")).await?;
            db.query_opt(&stmt, &[&customer, &company]).await?
        }
        None => {
            let stmt = db.prepare_cached(sql!("binding/exists_pair")).await?;
            db.query_opt(&stmt, &[&radar_user, &customer]).await?
        }
    };
    Ok(found.is_some())
}

/// Creates the binding; returns its id.
pub async fn insert(
    db: &impl GenericClient,
    radar_user: i64,
    customer: i64,
    source: i16,
    parent: Option<i64>,
) -> Result<i64, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("binding/insert")).await?;
    Ok(db
        .query_one(&stmt, &[&radar_user, &customer, &source, &parent])
        .await?
        .get(0))
}

/// The radar user of `company` the customer was most recently active with.
pub async fn latest_in_company(
    db: &impl GenericClient,
    customer: i64,
    company: i64,
) -> Result<Option<i64>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("binding/latest_in_company")).await?;
    Ok(db
        .query_opt(&stmt, &[&customer, &company])
        .await?
        .map(|r| r.get(0)))
}
