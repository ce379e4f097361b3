//! The replies of each socket family to a valid frame (spec §6.6), as `impl Core`: WS-M
//! (mini-program chat), WS-R1 (radar chat), and the badge/contact sockets, plus the ack of a send.
//! Verifying and binding the frame first is left to `core`.

use std::sync::Arc;

use chrono::Utc;
use serde_json::{json, Value};

use super::core::{Core, Reply};
use crate::chat::protocol::{self, frame, frame_data, Inbound, Kind, SocketFamily};
use crate::chat::render;
use crate::chat::service::{self, Draft, SendError};
use crate::chat::writer::Committed;
use crate::chat::Chat;
use crate::error::{ApiError, FormErrors};
use crate::ids::RadarUserId;
use crate::store;
use crate::store::chat::PairInfo;
use crate::time;

impl Core {
    pub(super) async fn mini_program_frame(&mut self, f: Inbound) -> Result<Reply, ApiError> {
        let (radar_user, customer) = self.pair_ids()?;
        Ok(match f.kind {
            Kind::Register => {
                self.inside_chat = true;
                self.resume(&f, frame(200, "注册成功")).await?
            }
            Kind::QueryNum => {
                self.inside_chat = false;
                self.query_nums += 1;
                let db = self.chat.db.get().await?;
                let badge = store::chat::customer_badge(&db, radar_user, customer).await?;
                let phone = match self.query_nums {
                    1..=3 => store::customer::get(&db, customer.0)
                        .await?
                        .and_then(|c| c.phone)
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                let mut reply = frame_data(
                    200,
                    "查询成功-获取聊天数量",
                    json!({"unread_msg_num": badge}),
                );
                reply["phone"] = json!(phone);
                Reply::one(reply)
            }
            Kind::Lived => Reply::one(protocol::lived()),
            Kind::Closed => {
                let text = format!("确认关闭  customer_id | uid | {customer}|{radar_user}");
                Reply::close_with(frame(200, &text))
            }
            Kind::Send if self.chat.settings.chat.ws_send_enabled => {
                if let Some(refusal) = client_msg_id_refusal(&f) {
                    return Ok(refusal);
                }
                let pair = self.pair().await?;
                Reply::send(SendJob::new(SocketFamily::MiniProgram, pair, f))
            }
            Kind::Send | Kind::Other(_) => Reply::none(),
        })
    }

    pub(super) async fn radar_chat_frame(&mut self, f: Inbound) -> Result<Reply, ApiError> {
        Ok(match f.kind {
            Kind::Register => self.resume(&f, frame(199, "注册成功")).await?,
            Kind::Lived => Reply::one(protocol::lived()),
            Kind::Closed => Reply::close(),
            _ if f.content.is_none() => Reply::close_with(protocol::bad_ids()),
            _ if !self.chat.settings.chat.ws_send_enabled => Reply::none(),
            _ => {
                if let Some(refusal) = client_msg_id_refusal(&f) {
                    return Ok(refusal);
                }
                let pair = self.pair().await?;
                Reply::send(SendJob::new(SocketFamily::RadarChat, pair, f))
            }
        })
    }

    pub(super) async fn radar_count_frame(&mut self, f: Inbound) -> Result<Reply, ApiError> {
        let uid = RadarUserId(f.ids.user_id);
        Ok(match f.kind {
            Kind::Register => Reply::one(
                self.counts(uid, "注册成功返回【消息数量】成功", None)
                    .await?,
            ),
            Kind::QueryNum => {
                // Clamped before any arithmetic: a client's 2^63-1 must not overflow the offset.
                let page = (
                    f.current_page.unwrap_or(1).clamp(1, 1_000_000),
                    f.length.unwrap_or(10).clamp(1, 100),
                );
                Reply::one(
                    self.counts(uid, "实时获取雷达【消息数量】成功", Some(page))
                        .await?,
                )
            }
            Kind::Lived => Reply::one(protocol::lived()),
            Kind::Closed => Reply::close(),
            _ => Reply::none(),
        })
    }

    /// The badge frame, with a contact page on the contact socket.
    pub(super) async fn counts(
        &self,
        uid: RadarUserId,
        msg: &str,
        page: Option<(i64, i64)>,
    ) -> Result<Value, ApiError> {
        let db = self.chat.db.get().await?;
        let badge = store::chat::radar_badge(&db, uid).await?;
        let mut data = json!({"unread_msg_num": badge});
        if self.family == SocketFamily::RadarContacts {
            if let Some((page, len)) = page {
                let offset = (page - 1).saturating_mul(len);
                let (contacts, _) = store::chat::contacts(&db, uid, len, offset).await?;
                let now = Utc::now();
                data["ret_data"] = contacts
                    .iter()
                    .map(|c| render::contact_item(c, now))
                    .collect();
            }
        }
        Ok(frame_data(200, msg, data))
    }
}

/// A socket send, run beside the session's other work (see `Session::start_send`): the session
/// keeps pushing while the message is committed, and writes the acks in the order of the sends.
pub struct SendJob {
    family: SocketFamily,
    pair: Arc<PairInfo>,
    draft: Draft,
    client_msg_id: Option<String>,
}

impl SendJob {
    fn new(family: SocketFamily, pair: Arc<PairInfo>, f: Inbound) -> SendJob {
        SendJob {
            family,
            pair,
            client_msg_id: f.client_msg_id.clone(),
            draft: Draft {
                content: f.content.unwrap_or(Value::Null),
                client_msg_id: f.client_msg_id,
            },
        }
    }

    /// Validates and queues the message now — the session starts its sends in frame order, so
    /// they are stored in that order — and answers a future that waits for the commit and
    /// resolves to the ack frame (or the answer that keeps the socket open), or the error that
    /// closes it. (Queuing inside the future would follow the order actix first polls its
    /// spawned futures in, which is not the order they were spawned in.)
    pub fn start(
        self,
        chat: &Chat,
    ) -> impl std::future::Future<Output = Result<Reply, ApiError>> + 'static {
        let (queued, msg) = match self.family {
            SocketFamily::MiniProgram => (
                service::start_customer_send(chat, &self.pair, self.draft),
                "小程序消息-发送成功",
            ),
            _ => (
                service::start_radar_send(chat, &self.pair, self.draft),
                "雷达消息-发送成功",
            ),
        };
        let chat = chat.clone();
        let client_msg_id = self.client_msg_id;
        async move {
            let sent = match queued {
                Ok(queued) => queued.finish(&chat).await,
                Err(e) => Err(e),
            };
            ack(sent, msg, client_msg_id)
        }
    }
}

/// The ack of a socket send, or the answer that keeps the socket open: the socket edge's mapping
/// of a `SendError` — 301 with the reason (content or row refused), 303 (no mall), 429 (busy),
/// 503 (unavailable). Nothing was stored, so the client may send again (with its
/// `client_msg_id`, so nothing is stored twice). Anything else closes the socket.
fn ack(
    sent: Result<Committed, SendError>,
    msg: &str,
    client_msg_id: Option<String>,
) -> Result<Reply, ApiError> {
    let refusal = match sent {
        Ok(c) => {
            let m = &c.message;
            let data = json!({"id": m.id, "seq": m.seq, "client_msg_id": client_msg_id, "dateTime": time::datetime(m.create_date)});
            return Ok(Reply::one(frame_data(200, msg, data)));
        }
        Err(SendError::Invalid(reason)) => frame(301, &reason),
        Err(SendError::Refused) => frame(301, SendError::REFUSED),
        Err(SendError::NoMall) => frame(303, SendError::NO_MALL),
        Err(SendError::Busy) => envelope_frame(ApiError::Busy),
        Err(SendError::Unavailable) => envelope_frame(ApiError::Unavailable),
        Err(SendError::Internal(cause)) => return Err(ApiError::Internal(cause)),
    };
    Ok(Reply::one(refusal))
}

/// `{code, msg}` of an HTTP envelope as a frame: sockets and HTTP answer busy and outage alike.
fn envelope_frame(e: ApiError) -> Value {
    let envelope = e.envelope();
    frame(envelope.code, envelope.msg.as_str().unwrap_or_default())
}

/// The refusal of a send whose `client_msg_id` HTTP would refuse (a form error, socket open).
fn client_msg_id_refusal(f: &Inbound) -> Option<Reply> {
    let (message, code) = f.client_msg_id_error.as_ref()?;
    let errors = FormErrors::single("client_msg_id", message, code).in_msg(301);
    Some(Reply::one(serde_json::to_value(errors.envelope()).ok()?))
}

impl Core {
    /// The `register` answer, then — when the frame names a resume point (`since_seq`, or the
    /// legacy `since_id`) — every message of the pair after it, in order; live pushes follow,
    /// without repeats (the session was subscribed before any of this was read).
    async fn resume(&mut self, f: &Inbound, ack: Value) -> Result<Reply, ApiError> {
        let mut reply = Reply::one(ack);
        let resume_at = match (f.since_seq, f.since_id) {
            (Some(seq), _) => Some(seq),
            (None, Some(id)) => {
                let (radar_user, customer) = self.pair_ids()?;
                let db = self.chat.db.get().await?;
                Some(store::chat::seq_before_id(&db, radar_user, customer, id).await?)
            }
            (None, None) => None,
        };
        if let Some(seq) = resume_at {
            let now = self.last_seq;
            // Never past what this session already stands at (a client claiming more than exists).
            self.last_seq = Some(seq.clamp(0, now.unwrap_or(i64::MAX)));
            if let Err(e) = self.fill(i64::MAX, &mut reply).await.map(drop) {
                self.last_seq = now;
                return Err(e);
            }
        }
        Ok(reply)
    }
}
