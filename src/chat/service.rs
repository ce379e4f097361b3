//! The one send path: validate → insert into PostgreSQL (commit) → publish (by the writer, right
//! after the commit) → answer with the stored message. HTTP sends (M6, R5), socket sends, binding
//! greetings, product consults and the phone echo all come through `send`. Nothing is
//! acknowledged before its row is committed.
//!
//! A send that fails says why with a `SendError`, not a legacy code: each edge (HTTP handlers,
//! the socket's ack, `From<SendError> for ApiError` for the rest) maps it to its envelope once.

use std::sync::Arc;

use serde_json::Value;

use crate::action::{self, Action};
use crate::chat::content::{self, Sender};
use crate::chat::event::{Channel, Event};
use crate::chat::message::MessageKind;
use crate::chat::notify;
use crate::chat::writer::{Committed, Queued, WriteError};
use crate::chat::Chat;
use crate::error::{db_unavailable, ApiError};
use crate::ids::{CustomerId, RadarUserId};
use crate::store::{self, chat::PairInfo, message::NewMessage};

/// Why a send was not done. Nothing was stored, except for `Internal` after the commit (a
/// follow-up such as the radar feed failed; the message itself is stored and published).
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The content breaks the `info_type` rules (spec §6.1); the reason is shown to the client.
    #[error("invalid content: {0}")]
    Invalid(String),
    /// A mall link (`info_type` 6) in a company without the mall.
    #[error("the mini-program has no mall")]
    NoMall,
    /// The database refused the row (bad data that passed the rules; logged with its cause).
    #[error("the database refused the message")]
    Refused,
    /// More sends than the node can commit now (admission control): try again shortly.
    #[error("writer busy")]
    Busy,
    /// The database is unreachable, or the node is shutting down: try again (with the same
    /// `client_msg_id`, so nothing is stored twice).
    #[error("chat unavailable")]
    Unavailable,
    /// Anything unexpected.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl SendError {
    /// The legacy text of `Refused` (code 301 on every edge).
    pub const REFUSED: &'static str = "消息无法保存";
    /// The legacy text of `NoMall` (code 303 on every edge).
    pub const NO_MALL: &'static str = "此小程序没有开启商城";
}

impl From<tokio_postgres::Error> for SendError {
    fn from(e: tokio_postgres::Error) -> Self {
        if db_unavailable(&e) {
            tracing::warn!(error = %e, "database unavailable");
            SendError::Unavailable
        } else {
            SendError::Internal(e.into())
        }
    }
}

impl From<deadpool_postgres::PoolError> for SendError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        tracing::warn!(error = %e, "database unavailable");
        SendError::Unavailable
    }
}

impl From<WriteError> for SendError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Busy => SendError::Busy,
            WriteError::Unavailable | WriteError::Stopped => SendError::Unavailable,
            WriteError::Refused(cause) => {
                tracing::warn!(
                    reason = format!("{cause:#}"),
                    "the database refused a chat message"
                );
                SendError::Refused
            }
        }
    }
}

/// Stores `m` (a retry with the same `client_msg_id` returns the first message); the writer
/// publishes it, a resend included (see `chat::writer`).
pub async fn send(chat: &Chat, m: NewMessage) -> Result<Committed, SendError> {
    Ok(chat.writer.insert(m).await?)
}

/// Tells the radar user's chat sockets of the pair that the customer read their messages.
pub fn publish_read_receipt(chat: &Chat, radar_user: RadarUserId, customer: CustomerId) {
    chat.bus.publish(
        Channel::Radar(radar_user),
        Event::ReadReceipt {
            radar_user,
            customer,
        },
    );
}

/// Tells the radar user's badge and contact sockets that their unread count changed.
pub fn publish_radar_unread(chat: &Chat, radar_user: RadarUserId) {
    chat.bus.publish(
        Channel::Radar(radar_user),
        Event::RadarUnreadChanged { radar_user },
    );
}

/// The pair, if the radar user and the customer exist in one company: read now (and kept in the
/// node's pair cache for the sockets, see `pair_cached`).
pub async fn pair(
    chat: &Chat,
    radar_user: RadarUserId,
    customer: CustomerId,
) -> Result<Option<Arc<PairInfo>>, ApiError> {
    let db = chat.db.get().await?;
    let pair = store::chat::pair_info(&db, radar_user, customer)
        .await?
        .map(Arc::new);
    if let Some(pair) = &pair {
        chat.pairs.put((radar_user, customer), pair.clone());
    }
    Ok(pair)
}

/// `Some((radar_user, customer))` if the pair exists; for a socket binding to it, which keeps
/// only the ids. Not cached: a socket that binds and stays idle leaves nothing in the cache.
pub async fn pair_exists(
    chat: &Chat,
    radar_user: RadarUserId,
    customer: CustomerId,
) -> Result<Option<(RadarUserId, CustomerId)>, ApiError> {
    let db = chat.db.get().await?;
    Ok(store::chat::pair_info(&db, radar_user, customer)
        .await?
        .map(|p| (p.radar_user, p.customer)))
}

/// The pair if the node's pair cache has it now. Sockets read what they show of their pair
/// through it instead of each keeping a copy (issue 10 item 5): a change of name, avatar or
/// company setting reaches them within the cache's TTL (they kept the copy read when they bound
/// before). HTTP requests read the pair fresh (`pair`), which refills the cache.
pub fn pair_cached(
    chat: &Chat,
    (radar_user, customer): (RadarUserId, CustomerId),
) -> Option<Arc<PairInfo>> {
    chat.pairs.get(&(radar_user, customer))
}

/// A message a client asked to send: its raw `content` and optional retry key.
#[derive(Debug, Clone)]
pub struct Draft {
    pub content: Value,
    pub client_msg_id: Option<String>,
}

/// A client's send, validated and queued for its batch: `finish` waits for the commit and does
/// what follows a stored message. Sends are queued in the order the `start_*` functions are
/// called, so a socket that starts its sends in frame order has them stored in that order.
pub struct QueuedSend {
    queued: Queued,
    pair: PairInfo,
    then: AfterSend,
}

/// What follows a stored send, by sender.
enum AfterSend {
    /// A customer's text notifies the radar user.
    Customer { is_text: bool },
    /// A radar message schedules the customer's offline notification; a mall link is recorded.
    Radar { is_mall_link: bool },
}

/// M6 / WS-M send: the customer writes to the radar user (read for the customer, unread for the
/// radar user; counts once in the binding; text messages notify the radar user).
pub async fn customer_send(
    chat: &Chat,
    pair: &PairInfo,
    draft: Draft,
) -> Result<Committed, SendError> {
    start_customer_send(chat, pair, draft)?.finish(chat).await
}

/// R5 / WS-R1 send: the radar user writes to the customer (spec §7 R5, §6.1 info_type rules).
pub async fn radar_send(
    chat: &Chat,
    pair: &PairInfo,
    draft: Draft,
) -> Result<Committed, SendError> {
    start_radar_send(chat, pair, draft)?.finish(chat).await
}

/// Validates a customer's send and queues it (see `QueuedSend`).
pub fn start_customer_send(
    chat: &Chat,
    pair: &PairInfo,
    draft: Draft,
) -> Result<QueuedSend, SendError> {
    let content = checked(&draft, Sender::Customer)?;
    let then = AfterSend::Customer {
        is_text: content["info_type"] == 1,
    };
    Ok(queue(
        chat,
        pair,
        MessageKind::CustomerText,
        content,
        draft,
        then,
    ))
}

/// Validates a radar user's send and queues it (see `QueuedSend`).
pub fn start_radar_send(
    chat: &Chat,
    pair: &PairInfo,
    draft: Draft,
) -> Result<QueuedSend, SendError> {
    let content = checked(&draft, Sender::Radar)?;
    let is_mall_link = content["info_type"] == 6;
    if is_mall_link && pair.shopping_type != 2 {
        return Err(SendError::NoMall);
    }
    let then = AfterSend::Radar { is_mall_link };
    Ok(queue(
        chat,
        pair,
        MessageKind::RadarText,
        content,
        draft,
        then,
    ))
}

/// `draft`'s content, parsed and checked by `sender`'s rules (spec §6.1).
fn checked(draft: &Draft, sender: Sender) -> Result<Value, SendError> {
    content::parse(&draft.content)
        .and_then(|c| content::validate(c, sender))
        .map_err(SendError::Invalid)
}

/// Queues the pair's message of `kind` with `content` (and the draft's retry key).
fn queue(
    chat: &Chat,
    pair: &PairInfo,
    kind: MessageKind,
    content: Value,
    draft: Draft,
    then: AfterSend,
) -> QueuedSend {
    let message = kind.message(pair.radar_user, pair.customer, content, draft.client_msg_id);
    QueuedSend {
        queued: chat.writer.enqueue(message),
        pair: pair.clone(),
        then,
    }
}

impl QueuedSend {
    /// Waits for the commit, then notifies and records what the stored message calls for.
    pub async fn finish(self, chat: &Chat) -> Result<Committed, SendError> {
        let sent = self.queued.committed().await?;
        let pair = &self.pair;
        match self.then {
            AfterSend::Customer { is_text } => {
                if is_text && sent.inserted && chat.notifier.enabled() {
                    let db = chat.db.get().await?;
                    action::notify_chat(&db, &*chat.notifier, pair.radar_user.0, pair.customer.0)
                        .await?;
                }
            }
            AfterSend::Radar { is_mall_link } => {
                if sent.inserted {
                    notify::schedule(chat, pair.radar_user, pair.customer, sent.message.id);
                }
                if is_mall_link && sent.inserted {
                    let db = chat.db.get().await?;
                    action::record(
                        &db,
                        &*chat.notifier,
                        Action::SendMiniProgram,
                        pair.radar_user.0,
                        pair.customer.0,
                        "发送小程序",
                    )
                    .await?;
                }
            }
        }
        Ok(sent)
    }
}
