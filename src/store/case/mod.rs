//! The case library as the mini-program reads it (spec §3.5, M27–M30, M34, M36, M37): published
//! cases with their tags and newest diary, tag searches and their history, footprints and
//! collections. Diaries, comments and praise live in `store::diary`; the back office (§9.6) has
//! its own queries.
//!
//! - `card` — a case as the lists show it ([`CaseCard`], with its newest diary), read from a page's
//!   rows by column position.
//! - `list` — M27: the published cases of a company, one prepared statement per combination of
//!   filters and order.
//! - `acted` — the customer's footprints and collections: recording them (M27 with a `case_id`,
//!   M34) and listing them (M36/M37).
//! - `tag` — the company's tags (M28), tag searches and their history (M29), hot tags (M30).
//! - here: the customer's company, which scopes every read.

mod acted;
mod card;
mod list;
mod tag;

pub use acted::{acted_list, collect, record_browse, Acted};
pub use card::{CaseCard, DiaryBrief};
pub use list::{list, list_sql, CaseFilter, LIST_ORDERS};
pub use tag::{count_tag_search, tag_history, tags, top_tags, Tag};

use deadpool_postgres::GenericClient;

use crate::sql;

/// The company of `customer`: `None` for no such customer, `Some(None)` before it has one.
#[tracing::instrument(skip_all)]
pub async fn customer_company(
    db: &impl GenericClient,
    customer: i64,
) -> Result<Option<Option<i64>>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("case/customer_company")).await?;
    Ok(db.query_opt(&stmt, &[&customer]).await?.map(|r| r.get(0)))
}
