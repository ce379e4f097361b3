//! Case tags: the company's tags (M28), searches by tag and the customer's search history (M29),
//! and the most searched tags (M30).

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use crate::sql;

/// A case tag `{id, name}` (serialized as such).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tag {
    pub id: i64,
    pub name: String,
}

fn tag(r: &Row) -> Tag {
    Tag {
        id: r.get("id"),
        name: r.get("name"),
    }
}

/// The rows of a page and the `total` column its statement counts.
fn paged<T>(rows: &[Row], f: impl Fn(&Row) -> T) -> (Vec<T>, i64) {
    let total = rows.first().map(|r| r.get("total")).unwrap_or(0);
    (rows.iter().map(f).collect(), total)
}

/// Counts a search by tag `tag` of `company` and records it in the customer's history.
/// Returns false (and changes nothing) when the tag is not the company's.
#[tracing::instrument(skip_all)]
pub async fn count_tag_search(
    db: &impl GenericClient,
    tag: i64,
    company: i64,
    customer: i64,
) -> Result<bool, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("case/count_tag_search")).await?;
    Ok(db
        .query_opt(&stmt, &[&tag, &company, &customer])
        .await?
        .is_some())
}

/// A page of the company's tags, optionally filtered by a name substring, and the total (M28).
#[tracing::instrument(skip_all)]
pub async fn tags(
    db: &impl GenericClient,
    company: i64,
    name: Option<&str>,
    limit: Option<i64>,
    offset: i64,
) -> Result<(Vec<Tag>, i64), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("case/tags")).await?;
    let rows = db.query(&stmt, &[&company, &name, &limit, &offset]).await?;
    Ok(paged(&rows, tag))
}

/// The customer's searched tags in `company`: newest first, de-duplicated, at most 13 (M29).
#[tracing::instrument(skip_all)]
pub async fn tag_history(
    db: &impl GenericClient,
    customer: i64,
    company: i64,
) -> Result<Vec<Tag>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("case/tag_history")).await?;
    let rows = db.query(&stmt, &[&customer, &company]).await?;
    Ok(rows.iter().map(tag).collect())
}

/// The 13 most searched tags of `company` and its number of tags (M30).
#[tracing::instrument(skip_all)]
pub async fn top_tags(
    db: &impl GenericClient,
    company: i64,
) -> Result<(Vec<Tag>, i64), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("case/top_tags")).await?;
    let rows = db.query(&stmt, &[&company]).await?;
    Ok(paged(&rows, tag))
}
