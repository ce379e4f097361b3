//! M27: a page of a company's published cases, filtered by case, tag or customer name, in one of
//! [`LIST_ORDERS`].

use std::sync::OnceLock;

use deadpool_postgres::GenericClient;
use tokio_postgres::types::Type;

use super::CaseCard;
use crate::sql;

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
