//! The customer's case actions: footprints (recorded when M27 shows one case, listed by M36) and
//! collections (set by M34, listed by M37).

use deadpool_postgres::GenericClient;

use super::CaseCard;
use crate::sql;

/// Records (or moves to now) the customer's footprint on a published case of `company`.
/// Returns false when the case is not visible.
#[tracing::instrument(skip_all)]
pub async fn record_browse(
    db: &impl GenericClient,
    case: i64,
    company: i64,
    customer: i64,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("case/record_browse")).await?;
    Ok(db
        .query_opt(&stmt, &[&case, &company, &customer])
        .await?
        .is_some())
}

/// Sets the customer's collect state (0/1) on a published case of `company` (M34).
/// Returns false when the case is not visible.
#[tracing::instrument(skip_all)]
pub async fn collect(
    db: &impl GenericClient,
    case: i64,
    company: Option<i64>,
    customer: i64,
    status: i16,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("case/collect")).await?;
    Ok(db
        .query_opt(&stmt, &[&case, &company, &customer, &status])
        .await?
        .is_some())
}

/// Which of the customer's case actions a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i16)]
pub enum Acted {
    /// M37: collected cases (action 2, status 1).
    Collected = 2,
    /// M36: footprints (action 3).
    Browsed = 3,
}

/// A page of the customer's footprints or collections in `company`, newest first (M36/M37).
#[tracing::instrument(skip_all)]
pub async fn acted_list(
    db: &impl GenericClient,
    customer: i64,
    acted: Acted,
    company: i64,
    limit: Option<i64>,
    offset: i64,
) -> Result<(Vec<CaseCard>, i64), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("case/acted_list")).await?;
    let rows = db
        .query(
            &stmt,
            &[&customer, &(acted as i16), &company, &limit, &offset],
        )
        .await?;
    Ok(CaseCard::page(&stmt, &rows))
}
