//! The case library as the mini-program reads it (spec §3.5, M27–M30, M34, M36, M37): published
//! cases with their tags and newest diary, tag searches and their history, footprints and
//! collections. Diaries, comments and praise live in `store::diary`; the back office (§9.6) has
//! its own queries.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::types::{Json, Type};
use tokio_postgres::{Row, Statement};

use crate::sql;
use crate::store::json_text::JsonText;

/// The newest published diary of a case, as case lists show it (`last_diary_data`).
#[derive(Debug, Clone)]
pub struct DiaryBrief {
    pub id: i64,
    pub title: String,
    pub diary_date: DateTime<Utc>,
    pub cover_picture: JsonText,
    pub content: JsonText,
    pub status: i16,
    pub cover_show_type: i16,
    pub create_date: DateTime<Utc>,
}

/// A case as M27, M36 and M37 list it.
#[derive(Debug, Clone)]
pub struct CaseCard {
    pub id: i64,
    pub case_name: String,
    pub company_id: i64,
    pub customer_name: String,
    pub headimgurl: String,
    pub cover_picture: JsonText,
    pub status: i16,
    pub update_date: Option<DateTime<Utc>>,
    /// The case's creation (M27), or when the customer browsed or collected it (M36/M37).
    pub create_date: DateTime<Utc>,
    /// By id.
    pub tags: Vec<Tag>,
    pub last_diary: Option<DiaryBrief>,
}

/// The columns of a case page (`case/list`, `case/acted_list`) that [`CaseCard::from_row`] reads.
/// `Row::get(name)` compares names one by one for every field of every row (2.4 % of radar's CPU
/// on M27, load-tests/RESULTS.md); a page looks each name up once ([`CardColumns::of`]) and its
/// rows are read by position.
#[derive(Clone, Copy)]
enum Col {
    Id,
    CaseName,
    CompanyId,
    CustomerName,
    Headimgurl,
    CoverPicture,
    Status,
    UpdateDate,
    CreateDate,
    Total,
    Tags,
    DId,
    DTitle,
    DDiaryDate,
    DCoverPicture,
    DContent,
    DStatus,
    DCoverShowType,
    DCreateDate,
}

/// The names of [`Col`]'s columns, in [`Col`]'s order.
const CARD_COLUMNS: [&str; 19] = [
    "id",
    "case_name",
    "company_id",
    "customer_name",
    "headimgurl",
    "cover_picture",
    "status",
    "update_date",
    "create_date",
    "total",
    "tags",
    "d_id",
    "d_title",
    "d_diary_date",
    "d_cover_picture",
    "d_content",
    "d_status",
    "d_cover_show_type",
    "d_create_date",
];

/// Where each [`Col`] is in a statement's rows. A name the statement lacks gets an index past
/// its columns, so reading it panics as `Row::get` with that name would.
struct CardColumns([usize; CARD_COLUMNS.len()]);

impl CardColumns {
    fn of(stmt: &Statement) -> CardColumns {
        let columns = stmt.columns();
        CardColumns(CARD_COLUMNS.map(|name| {
            columns
                .iter()
                .position(|c| c.name() == name)
                .unwrap_or(columns.len())
        }))
    }

    fn at(&self, c: Col) -> usize {
        self.0[c as usize]
    }
}

impl CaseCard {
    fn from_row(r: &Row, c: &CardColumns) -> CaseCard {
        let last_diary = r
            .get::<_, Option<i64>>(c.at(Col::DId))
            .map(|id| DiaryBrief {
                id,
                title: r.get(c.at(Col::DTitle)),
                diary_date: r.get(c.at(Col::DDiaryDate)),
                cover_picture: r.get(c.at(Col::DCoverPicture)),
                content: r.get(c.at(Col::DContent)),
                status: r.get(c.at(Col::DStatus)),
                cover_show_type: r.get(c.at(Col::DCoverShowType)),
                create_date: r.get(c.at(Col::DCreateDate)),
            });
        CaseCard {
            id: r.get(c.at(Col::Id)),
            case_name: r.get(c.at(Col::CaseName)),
            company_id: r.get(c.at(Col::CompanyId)),
            customer_name: r.get(c.at(Col::CustomerName)),
            headimgurl: r.get(c.at(Col::Headimgurl)),
            cover_picture: r.get(c.at(Col::CoverPicture)),
            status: r.get(c.at(Col::Status)),
            update_date: r.get(c.at(Col::UpdateDate)),
            create_date: r.get(c.at(Col::CreateDate)),
            tags: r.get::<_, Json<Vec<Tag>>>(c.at(Col::Tags)).0,
            last_diary,
        }
    }

    /// The cases of a page of `stmt` and its `total` column.
    fn page(stmt: &Statement, rows: &[Row]) -> (Vec<CaseCard>, i64) {
        let c = CardColumns::of(stmt);
        let total = rows.first().map(|r| r.get(c.at(Col::Total))).unwrap_or(0);
        (
            rows.iter().map(|r| CaseCard::from_row(r, &c)).collect(),
            total,
        )
    }
}

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

/// What M27 asks for.
#[derive(Debug, Clone)]
pub struct CaseFilter<'a> {
    pub company: i64,
    pub case_id: Option<i64>,
    pub tag_id: Option<i64>,
    pub customer_name: Option<&'a str>,
    /// One of [`LIST_ORDERS`] (anything else lists in the first).
    pub order: &'a str,
    pub limit: Option<i64>,
    pub offset: i64,
    /// Whether items carry their newest diary (not for a single case).
    pub with_last_diary: bool,
}

/// The company of `customer`: `None` for no such customer, `Some(None)` before it has one.
#[tracing::instrument(skip_all)]
pub async fn customer_company(
    db: &impl GenericClient,
    customer: i64,
) -> Result<Option<Option<i64>>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("case/customer_company")).await?;
    Ok(db.query_opt(&stmt, &[&customer]).await?.map(|r| r.get(0)))
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

/// The orders M27 lists in (`-update_date` is the default).
pub const LIST_ORDERS: [&str; 4] = ["-update_date", "update_date", "-create_date", "create_date"];

/// Types of `case/list`'s arguments (given, since a variant may not use them all).
const LIST_TYPES: [Type; 8] = [
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
    Type::INT8,
    Type::BOOL,
];

/// `case/list` for one combination of filters and order: the lines marked `-- only if $n` are kept
/// only when argument n is given, and `$5` (the order) is written as a constant from
/// [`LIST_ORDERS`]. Each combination is its own prepared statement, so PostgreSQL plans the
/// conditions a request has instead of a generic plan for `($2 IS NULL OR …)` that evaluates them
/// all (21% more PostgreSQL CPU than pgbench on the unfiltered page, load-tests/RESULTS.md).
pub fn list_sql(case: bool, tag: bool, name: bool, order: &str) -> &'static str {
    static VARIANTS: OnceLock<Vec<String>> = OnceLock::new();
    let variants = VARIANTS.get_or_init(|| {
        let mut all = Vec::with_capacity(8 * LIST_ORDERS.len());
        for mask in 0..8_u8 {
            for order in LIST_ORDERS {
                all.push(list_variant(sql!("case/list"), mask, order));
            }
        }
        all
    });
    let order = LIST_ORDERS.iter().position(|o| *o == order).unwrap_or(0);
    let mask = usize::from(case) | usize::from(tag) << 1 | usize::from(name) << 2;
    &variants[mask * LIST_ORDERS.len() + order]
}

/// The template without its comments, with the conditions of mask (bit 0: $2, bit 1: $3, bit 2: $4) and the order.
fn list_variant(template: &str, mask: u8, order: &str) -> String {
    let given = |n: u8| mask & (1 << (n - 2)) != 0;
    let mut out = String::with_capacity(template.len());
    for line in template.lines() {
        if line.trim_start().starts_with("--") {
            continue; // comments
        }
        let keep = match line.split_once("-- only if $") {
            Some((_, n)) => n
                .trim()
                .parse()
                .is_ok_and(|n: u8| (2..=4).contains(&n) && given(n)),
            None => true,
        };
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.replace("$5::text", &format!("'{order}'::text"))
}

/// A page of published cases and the total count (M27).
#[tracing::instrument(skip_all)]
pub async fn list(
    db: &impl GenericClient,
    f: &CaseFilter<'_>,
) -> Result<(Vec<CaseCard>, i64), tokio_postgres::Error> {
    let sql = list_sql(
        f.case_id.is_some(),
        f.tag_id.is_some(),
        f.customer_name.is_some(),
        f.order,
    );
    let stmt = db.prepare_typed_cached(sql, &LIST_TYPES).await?;
    let rows = db
        .query(
            &stmt,
            &[
                &f.company,
                &f.case_id,
                &f.tag_id,
                &f.customer_name,
                &f.order,
                &f.limit,
                &f.offset,
                &f.with_last_diary,
            ],
        )
        .await?;
    Ok(CaseCard::page(&stmt, &rows))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_variants_keep_only_the_given_filters_and_a_constant_order() {
        let plain = list_sql(false, false, false, "-update_date");
        assert!(!plain.contains("$2") && !plain.contains("$3") && !plain.contains("$4"));
        assert!(!plain.contains("$5") && plain.contains("'-update_date'::text"));
        let all = list_sql(true, true, true, "create_date");
        assert!(all.contains("c.id = $2") && all.contains("l.tag_id = $3"));
        assert!(all.contains("strpos(c.customer_name, $4)"));
        assert!(all.contains("'create_date'::text"));
        let tag = list_sql(false, true, false, "update_date");
        assert!(tag.contains("$3") && !tag.contains("$2") && !tag.contains("$4"));
        // An order outside the list is never written into the SQL.
        let odd = list_sql(false, false, false, "x'; DROP TABLE cases; --");
        assert_eq!(odd, plain);
    }
}
