//! Chat reads and read-state transitions (spec §6.1, §6.2). Messages are stored in batches by
//! `chat::writer` (`chat_insert_batch`); `store::message` holds what a message to store is.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use serde_json::Value;
use tokio_postgres::Row;

use crate::ids::{CustomerId, RadarUserId};
use crate::sql;
use crate::wire::{ChatMessage, CustomerView};

type Result<T> = std::result::Result<T, tokio_postgres::Error>;

/// What chat items show of a pair.
#[derive(Debug, Clone)]
pub struct PairInfo {
    pub radar_user: RadarUserId,
    pub customer: CustomerId,
    pub username: String,
    pub position: String,
    pub avatar: String,
    pub card_avatar: String,
    pub mingpian_phone: String,
    pub wechat: String,
    pub company_id: i64,
    pub customer_name: Option<String>,
    pub headimgurl: String,
    pub user_type: i16,
    pub is_subscribe: Option<i16>,
    pub shopping_type: i16,
}

impl PairInfo {
    /// The customer's display name (the original's fallback: `客户ID<id>`).
    pub fn customer_name(&self) -> String {
        self.customer_name
            .clone()
            .unwrap_or_else(|| format!("客户ID{}", self.customer))
    }
}

/// The pair, if both exist in one company.
pub async fn pair_info(
    db: &impl GenericClient,
    radar_user: RadarUserId,
    customer: CustomerId,
) -> Result<Option<PairInfo>> {
    let stmt = db.prepare_cached(sql!("chat/pair_info")).await?;
    Ok(db
        .query_opt(&stmt, &[&radar_user, &customer])
        .await?
        .map(|r| PairInfo {
            radar_user: r.get("radar_user"),
            customer: r.get("customer"),
            username: r.get("username"),
            position: r.get("position"),
            avatar: r.get("avatar"),
            card_avatar: r.get("card_avatar"),
            mingpian_phone: r.get("mingpian_phone"),
            wechat: r.get("wechat"),
            company_id: r.get("company_id"),
            customer_name: r.get("customer_name"),
            headimgurl: r.get("headimgurl"),
            user_type: r.get("user_type"),
            is_subscribe: r.get("is_subscribe"),
            shopping_type: r.get("shopping_type"),
        }))
}

fn message(radar_user: RadarUserId, customer: CustomerId, r: &Row) -> ChatMessage {
    ChatMessage {
        id: r.get("id"),
        seq: r.get("seq"),
        radar_user,
        customer,
        send_type: r.get("send_type"),
        content: r.get("content"),
        create_date: r.get("create_date"),
        client_msg_id: r.get("client_msg_id"),
        unread_for_customer: r.get("is_customer_new_msg"),
        unread_for_radar: r.get("is_user_new_msg"),
        customer_view: None,
    }
}

/// A page of the conversation (oldest first within the page), the total, and the first id.
pub async fn page(
    db: &impl GenericClient,
    radar_user: RadarUserId,
    customer: CustomerId,
    limit: Option<i64>,
    offset: i64,
) -> Result<(Vec<(ChatMessage, bool)>, i64)> {
    let stmt = db.prepare_cached(sql!("chat/page")).await?;
    let rows = db
        .query(&stmt, &[&radar_user, &customer, &limit, &offset])
        .await?;
    let total = rows.first().map(|r| r.get("total")).unwrap_or(0);
    let mut list: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                message(radar_user, customer, r),
                r.get::<_, bool>("is_first"),
            )
        })
        .collect();
    list.reverse();
    Ok((list, total))
}

/// Marks the whole pair read for the customer; returns how many radar messages became read.
pub async fn read_all_for_customer(
    db: &impl GenericClient,
    radar_user: RadarUserId,
    customer: CustomerId,
) -> Result<i64> {
    let stmt = db
        .prepare_cached(sql!("chat/read_all_for_customer"))
        .await?;
    Ok(db.query_one(&stmt, &[&radar_user, &customer]).await?.get(0))
}

/// Marks the whole pair read for the radar user; returns how many customer messages became read.
pub async fn read_all_for_radar(
    db: &impl GenericClient,
    radar_user: RadarUserId,
    customer: CustomerId,
) -> Result<i64> {
    let stmt = db.prepare_cached(sql!("chat/read_all_for_radar")).await?;
    Ok(db.query_one(&stmt, &[&radar_user, &customer]).await?.get(0))
}

/// Which side's unread messages to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Customer,
    Radar,
}

/// M8/R4: the pair's unread messages for `reader`, now marked read, oldest first.
pub async fn take_unread(
    db: &impl GenericClient,
    reader: Reader,
    radar_user: RadarUserId,
    customer: CustomerId,
) -> Result<Vec<ChatMessage>> {
    let sql = match reader {
        Reader::Customer => sql!("chat/take_unread_for_customer"),
        Reader::Radar => sql!("chat/take_unread_for_radar"),
    };
    let stmt = db.prepare_cached(sql).await?;
    let mut list: Vec<_> = db
        .query(&stmt, &[&radar_user, &customer])
        .await?
        .iter()
        .map(|r| message(radar_user, customer, r))
        .collect();
    list.sort_by_key(|m| m.id);
    Ok(list)
}

/// The pair's messages after `since_id`, oldest first, at most `limit`.
pub async fn since(
    db: &impl GenericClient,
    radar_user: RadarUserId,
    customer: CustomerId,
    since_id: i64,
    limit: i64,
) -> Result<Vec<ChatMessage>> {
    let stmt = db.prepare_cached(sql!("chat/since")).await?;
    let rows = db
        .query(&stmt, &[&radar_user, &customer, &since_id, &limit])
        .await?;
    Ok(rows
        .iter()
        .map(|r| message(radar_user, customer, r))
        .collect())
}

/// The pair's highest message `seq` (0 before its first message).
pub async fn conversation_seq(
    db: &impl GenericClient,
    radar_user: RadarUserId,
    customer: CustomerId,
) -> Result<i64> {
    let stmt = db.prepare_cached(sql!("chat/conversation_seq")).await?;
    Ok(db.query_one(&stmt, &[&radar_user, &customer]).await?.get(0))
}

/// The pair's messages with `after < seq < before`, in `seq` order, at most `limit`.
pub async fn between_seqs(
    db: &impl GenericClient,
    radar_user: RadarUserId,
    customer: CustomerId,
    (after, before): (i64, i64),
    limit: i64,
) -> Result<Vec<ChatMessage>> {
    let stmt = db.prepare_cached(sql!("chat/after_seq")).await?;
    let rows = db
        .query(&stmt, &[&radar_user, &customer, &after, &before, &limit])
        .await?;
    Ok(rows
        .iter()
        .map(|r| message(radar_user, customer, r))
        .collect())
}

/// A `since_id` resume point as the `seq` to resume after.
pub async fn seq_before_id(
    db: &impl GenericClient,
    radar_user: RadarUserId,
    customer: CustomerId,
    since_id: i64,
) -> Result<i64> {
    let stmt = db.prepare_cached(sql!("chat/seq_before_id")).await?;
    Ok(db
        .query_one(&stmt, &[&radar_user, &customer, &since_id])
        .await?
        .get(0))
}

/// The customer's badge and read watermark in the pair now.
pub async fn customer_view(
    db: &impl GenericClient,
    radar_user: RadarUserId,
    customer: CustomerId,
) -> Result<CustomerView> {
    let stmt = db.prepare_cached(sql!("chat/customer_view")).await?;
    let r = db.query_one(&stmt, &[&radar_user, &customer]).await?;
    Ok(CustomerView {
        badge: r.get("badge"),
        read_seq: r.get("read_seq"),
    })
}

/// The customer's badge in the pair.
pub async fn customer_badge(
    db: &impl GenericClient,
    radar_user: RadarUserId,
    customer: CustomerId,
) -> Result<i64> {
    let stmt = db.prepare_cached(sql!("chat/customer_badge")).await?;
    Ok(db.query_one(&stmt, &[&radar_user, &customer]).await?.get(0))
}

/// The radar user's badge over all conversations.
pub async fn radar_badge(db: &impl GenericClient, radar_user: RadarUserId) -> Result<i64> {
    let stmt = db.prepare_cached(sql!("chat/radar_badge")).await?;
    Ok(db.query_one(&stmt, &[&radar_user]).await?.get(0))
}

/// The customer has seen the pair up to `seq`: their watermark moves there (never back).
/// True when radar messages became read.
pub async fn read_customer_upto(
    db: &impl GenericClient,
    radar_user: RadarUserId,
    customer: CustomerId,
    seq: i64,
) -> Result<bool> {
    let sql = sql!("chat/push_read_customer_batch");
    Ok(read_one_pair(db, sql, radar_user, customer, seq)
        .await?
        .is_some())
}

/// The radar user has seen the pair up to `seq`: their watermark moves there (never back).
/// Returns how many customer messages became read.
pub async fn read_radar_upto(
    db: &impl GenericClient,
    radar_user: RadarUserId,
    customer: CustomerId,
    seq: i64,
) -> Result<i64> {
    let sql = sql!("chat/push_read_radar_batch");
    let row = read_one_pair(db, sql, radar_user, customer, seq).await?;
    Ok(row.map_or(0, |r| r.get("read")))
}

/// Runs a batched read-marking statement (`sql/chat/push_read_*_batch.sql`) for one pair. That
/// statement skips a conversation another transaction holds (a writer batch, for about one
/// commit); then this waits for the row and runs it again. Answers the pair's row when something
/// became read.
async fn read_one_pair(
    db: &impl GenericClient,
    sql: &str,
    radar_user: RadarUserId,
    customer: CustomerId,
    seq: i64,
) -> Result<Option<Row>> {
    let stmt = db.prepare_cached(sql).await?;
    loop {
        let row = db
            .query_opt(&stmt, &[&vec![radar_user], &vec![customer], &vec![seq]])
            .await?;
        match row {
            Some(r) if r.get::<_, bool>("skipped") => {
                let wait = db.prepare_cached(sql!("chat/wait_conversation")).await?;
                db.query(&wait, &[&radar_user, &customer]).await?;
            }
            other => return Ok(other),
        }
    }
}

/// One row of the contact list.
#[derive(Debug, Clone)]
pub struct Contact {
    pub customer_id: i64,
    pub last_at: DateTime<Utc>,
    pub name: Option<String>,
    pub headimgurl: String,
    pub user_type: i16,
    pub is_subscribe: Option<i16>,
    pub last_content: Value,
    pub unread: i64,
}

/// A page of the radar user's contacts, latest first, and the total.
pub async fn contacts(
    db: &impl GenericClient,
    radar_user: RadarUserId,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Contact>, i64)> {
    let stmt = db.prepare_cached(sql!("chat/contacts")).await?;
    let rows = db.query(&stmt, &[&radar_user, &limit, &offset]).await?;
    let total = rows.first().map(|r| r.get("total")).unwrap_or(0);
    let list = rows
        .iter()
        .map(|r| Contact {
            customer_id: r.get("customer_id"),
            last_at: r.get("last_at"),
            name: r.get("username"),
            headimgurl: r.get("headimgurl"),
            user_type: r.get("user_type"),
            is_subscribe: r.get("is_subscribe"),
            last_content: r.get("last_content"),
            unread: r.get("unread"),
        })
        .collect();
    Ok((list, total))
}

/// `(customer_id, tag name)` pairs for the contact list, newest first.
pub async fn contact_tags(
    db: &impl GenericClient,
    radar_user: RadarUserId,
    customers: &[i64],
) -> Result<Vec<(i64, String)>> {
    let stmt = db.prepare_cached(sql!("chat/contact_tags")).await?;
    Ok(db
        .query(&stmt, &[&radar_user, &customers])
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}
