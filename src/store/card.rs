//! The card (名片) of a radar user as a customer sees it: view, praise, signature likes, forwards.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use crate::sql;

/// What M10 shows, read in the same statement that counts the view.
#[derive(Debug)]
pub struct CardView {
    pub id: i64,
    pub username: String,
    pub memo_name: Option<String>,
    pub avatar: String,
    pub card_avatar: Option<String>,
    pub company: String,
    pub address: String,
    pub position: String,
    pub email: Option<String>,
    pub wechat: Option<String>,
    pub mingpian_phone: Option<String>,
    pub wechat_phone: Option<String>,
    pub is_show_phone: bool,
    pub create_date: DateTime<Utc>,
    pub popularity: i32,
    pub praise: i32,
    pub forward: i32,
    pub sign_num: i32,
    pub sign: Option<String>,
    pub is_praise: bool,
    pub is_sign: bool,
    pub tags: serde_json::Value,
    /// The customer's name when the view was logged (→ notification).
    pub logged_for: Option<String>,
    pub remark: String,
}

/// M10 for a batch of `(radar user, customer)` views, in order, as if run one after another (bumps
/// popularity, logs each view, reads the card) in one statement. One `(position, card)` per view
/// that counted; a view of a radar user who does not exist or belongs to another company has none.
pub async fn view_batch(
    db: &deadpool_postgres::ClientWrapper,
    views: &[(i64, i64)],
) -> Result<Vec<(usize, CardView)>, tokio_postgres::Error> {
    let radar_users: Vec<i64> = views.iter().map(|v| v.0).collect();
    let customers: Vec<i64> = views.iter().map(|v| v.1).collect();
    let stmt = db.prepare_cached(sql!("card/view_batch")).await?;
    let rows = db.query(&stmt, &[&radar_users, &customers]).await?;
    Ok(rows.iter().map(card_view).collect())
}

/// One row of `card/view_batch`: its 0-based input position and the card.
fn card_view(r: &Row) -> (usize, CardView) {
    let ord: i64 = r.get("ord");
    let card = CardView {
        id: r.get("id"),
        username: r.get("username"),
        memo_name: r.get("memo_name"),
        avatar: r.get("avatar"),
        card_avatar: r.get("card_avatar"),
        company: r.get("company"),
        address: r.get("address"),
        position: r.get("position"),
        email: r.get("email"),
        wechat: r.get("wechat"),
        mingpian_phone: r.get("mingpian_phone"),
        wechat_phone: r.get("wechat_phone"),
        is_show_phone: r.get("is_show_phone"),
        create_date: r.get("create_date"),
        popularity: r.get("popularity"),
        praise: r.get("praise"),
        forward: r.get("forward"),
        sign_num: r.get("sign_num"),
        sign: r.get("sign"),
        is_praise: r.get("is_praise"),
        is_sign: r.get("is_sign"),
        tags: r.get("tags"),
        logged_for: r.get("logged_for"),
        remark: r.get("remark"),
    };
    // ord counts from 1 (WITH ORDINALITY) and never exceeds the input's length.
    (usize::try_from(ord - 1).unwrap_or(usize::MAX), card)
}

/// A radar user as card actions, products and chat need it.
#[derive(Debug, Clone)]
pub struct CardOwner {
    pub id: i64,
    pub username: String,
    pub memo_name: Option<String>,
    pub avatar: String,
    pub card_avatar: Option<String>,
    pub position: String,
    pub email: Option<String>,
    pub mingpian_phone: Option<String>,
    pub wechat_phone: Option<String>,
    pub qr_code: Option<String>,
    pub company_id: i64,
    pub company: String,
    pub shopping_type: i16,
}

impl CardOwner {
    /// The card avatar: newest type-2 photo, else the profile avatar (spec §3.3).
    pub fn card_avatar(&self) -> &str {
        self.card_avatar.as_deref().unwrap_or(&self.avatar)
    }

    fn from_row(r: &Row) -> CardOwner {
        CardOwner {
            id: r.get("id"),
            username: r.get("username"),
            memo_name: r.get("memo_name"),
            avatar: r.get("avatar"),
            card_avatar: r.get("card_avatar"),
            position: r.get("position"),
            email: r.get("email"),
            mingpian_phone: r.get("mingpian_phone"),
            wechat_phone: r.get("wechat_phone"),
            qr_code: r.get("qr_code"),
            company_id: r.get("company_id"),
            company: r.get("company"),
            shopping_type: r.get("shopping_type"),
        }
    }
}

/// The radar user `radar_user` if it is in `customer`'s company.
pub async fn owner_for(
    db: &impl GenericClient,
    radar_user: i64,
    customer: i64,
) -> Result<Option<CardOwner>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("card/owner")).await?;
    Ok(db
        .query_opt(&stmt, &[&radar_user, &customer])
        .await?
        .as_ref()
        .map(CardOwner::from_row))
}

/// Toggles 靠谱 and returns `(praise_num, is_praise)` after the change.
pub async fn toggle_praise(
    db: &impl GenericClient,
    radar_user: i64,
    customer: i64,
) -> Result<(i32, bool), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("card/praise_toggle")).await?;
    let up: bool = db.query_one(&stmt, &[&radar_user, &customer]).await?.get(0);
    let delta: i32 = if up { 1 } else { -1 };
    let stmt = db.prepare_cached(sql!("card/add_praise")).await?;
    let praise: i32 = db.query_one(&stmt, &[&radar_user, &delta]).await?.get(0);
    Ok((praise, up))
}

/// Likes the signature once; returns `(sign_num, newly_liked)`.
pub async fn like_sign(
    db: &impl GenericClient,
    radar_user: i64,
    customer: i64,
) -> Result<(i32, bool), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("card/sign_like")).await?;
    let new = db
        .query_opt(&stmt, &[&radar_user, &customer])
        .await?
        .is_some();
    let stmt = db.prepare_cached(sql!("card/add_sign_num")).await?;
    let n: i32 = db
        .query_one(&stmt, &[&radar_user, &i32::from(new)])
        .await?
        .get(0);
    Ok((n, new))
}

/// `forward += 1`.
pub async fn add_forward(
    db: &impl GenericClient,
    radar_user: i64,
) -> Result<(), tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("card/add_forward")).await?;
    db.execute(&stmt, &[&radar_user]).await?;
    Ok(())
}

/// One row of M11.
#[derive(Debug)]
pub struct BoundCard {
    pub id: i64,
    pub username: String,
    pub source: i16,
    pub avatar: String,
    pub company: String,
    pub position: String,
    pub email: Option<String>,
    pub mingpian_phone: Option<String>,
    pub create_date: DateTime<Utc>,
}

/// M11: the customer's bindings, newest first.
pub async fn bound_cards(
    db: &impl GenericClient,
    customer: i64,
) -> Result<Vec<BoundCard>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("card/bindings_of_customer")).await?;
    let rows = db.query(&stmt, &[&customer]).await?;
    Ok(rows
        .iter()
        .map(|r| BoundCard {
            id: r.get("id"),
            username: r.get("username"),
            source: r.get("source"),
            avatar: r.get("avatar"),
            company: r.get("company"),
            position: r.get("position"),
            email: r.get("email"),
            mingpian_phone: r.get("mingpian_phone"),
            create_date: r.get("create_date"),
        })
        .collect())
}

/// The pair's `(qr_code, poster_url)` if they are bound.
pub async fn pair_binding(
    db: &impl GenericClient,
    radar_user: i64,
    customer: i64,
) -> Result<Option<(Option<String>, Option<String>)>, tokio_postgres::Error> {
    let stmt = db.prepare_cached(sql!("card/pair_binding")).await?;
    Ok(db
        .query_opt(&stmt, &[&radar_user, &customer])
        .await?
        .map(|r| (r.get(0), r.get(1))))
}
