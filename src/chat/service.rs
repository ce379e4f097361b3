//! The one send path: validate → insert into PostgreSQL (commit) → publish (by the writer, right
//! after the commit) → answer with the stored message. HTTP sends (M6, R5), socket sends, binding
//! greetings, product consults and the phone echo all come through `send`. Nothing is
//! acknowledged before its row is committed.

use serde_json::Value;

use crate::action::{self, Action};
use crate::chat::content::{self, Sender};
use crate::chat::event::{Channel, Event};
use crate::chat::message::MessageKind;
use crate::chat::notify;
use crate::chat::writer::{Queued, WriteError};
use crate::chat::Chat;
use crate::error::ApiError;
use crate::ids::{CustomerId, RadarUserId};
use crate::store::{
    self,
    chat::PairInfo,
    message::{NewMessage, Stored},
};

/// Stores `m` (a retry with the same `client_msg_id` returns the first row); the writer publishes
/// it, a resend included (see `chat::writer`).
pub async fn send(chat: &Chat, m: NewMessage) -> Result<Stored, ApiError> {
    chat.writer.insert(m).await.map_err(write_error)
}

fn write_error(e: WriteError) -> ApiError {
    match e {
        WriteError::Busy => ApiError::Busy,
        WriteError::Unavailable | WriteError::Stopped => ApiError::Unavailable,
        WriteError::Refused(reason) => {
            tracing::warn!(%reason, "the database refused a chat message");
            ApiError::code(301, "消息无法保存")
        }
    }
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

/// The pair, if the radar user and the customer exist in one company.
pub async fn pair(
    chat: &Chat,
    radar_user: RadarUserId,
    customer: CustomerId,
) -> Result<Option<PairInfo>, ApiError> {
    let db = chat.db.get().await?;
    Ok(store::chat::pair_info(&db, radar_user, customer).await?)
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
pub async fn customer_send(chat: &Chat, pair: &PairInfo, draft: Draft) -> Result<Stored, ApiError> {
    start_customer_send(chat, pair, draft)?.finish(chat).await
}

/// R5 / WS-R1 send: the radar user writes to the customer (spec §7 R5, §6.1 info_type rules).
pub async fn radar_send(chat: &Chat, pair: &PairInfo, draft: Draft) -> Result<Stored, ApiError> {
    start_radar_send(chat, pair, draft)?.finish(chat).await
}

/// Validates a customer's send and queues it (see `QueuedSend`).
pub fn start_customer_send(
    chat: &Chat,
    pair: &PairInfo,
    draft: Draft,
) -> Result<QueuedSend, ApiError> {
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
) -> Result<QueuedSend, ApiError> {
    let content = checked(&draft, Sender::Radar)?;
    let is_mall_link = content["info_type"] == 6;
    if is_mall_link && pair.shopping_type != 2 {
        return Err(ApiError::code(303, "此小程序没有开启商城"));
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

/// `draft`'s content, parsed and checked by `sender`'s rules (spec §6.1), or the 301 answer.
fn checked(draft: &Draft, sender: Sender) -> Result<Value, ApiError> {
    content::parse(&draft.content)
        .and_then(|c| content::validate(c, sender))
        .map_err(|reason| ApiError::code(301, reason))
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
    pub async fn finish(self, chat: &Chat) -> Result<Stored, ApiError> {
        let stored = self.queued.committed().await.map_err(write_error)?;
        let pair = &self.pair;
        match self.then {
            AfterSend::Customer { is_text } => {
                if is_text && stored.inserted && chat.notifier.enabled() {
                    let db = chat.db.get().await?;
                    action::notify_chat(&db, &*chat.notifier, pair.radar_user.0, pair.customer.0)
                        .await?;
                }
            }
            AfterSend::Radar { is_mall_link } => {
                if stored.inserted {
                    notify::schedule(chat, pair.radar_user, pair.customer, stored.id);
                }
                if is_mall_link && stored.inserted {
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
        Ok(stored)
    }
}
