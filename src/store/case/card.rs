//! A case as M27, M36 and M37 list it, with its tags and newest diary, read from a page's rows.

use chrono::{DateTime, Utc};
use tokio_postgres::types::Json;
use tokio_postgres::{Row, Statement};

use super::Tag;
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
    pub(super) fn page(stmt: &Statement, rows: &[Row]) -> (Vec<CaseCard>, i64) {
        let c = CardColumns::of(stmt);
        let total = rows.first().map(|r| r.get(c.at(Col::Total))).unwrap_or(0);
        (
            rows.iter().map(|r| CaseCard::from_row(r, &c)).collect(),
            total,
        )
    }
}
