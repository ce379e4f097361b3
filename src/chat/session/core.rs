//! What a session does with a valid frame or a pushed event: signatures, binding, the replies of
//! each socket family, and read-state changes. Runs inside `Session::run`, one future at a time.

use actix::Recipient;
use chrono::Utc;
use serde_json::{json, Value};

use crate::chat::event::{Channel, ChatMessage, Event};
use crate::chat::protocol::{self, frame, frame_data, Inbound, Kind, SocketFamily};
use crate::chat::registry::{Bind, Interest, Push};
use crate::chat::render::{self, DateStyle};
use crate::chat::service::{self, Draft};
use crate::chat::session::socket::ConnSocket;
use crate::error::ApiError;
use crate::http::auth::{ids_match, load_token, Family, SignedIds};
use crate::state::AppState;
use crate::store::{self, chat::PairInfo, message::Stored};
use crate::time;

/// Frames to write, and whether to close afterwards.
#[derive(Debug, Default)]
pub struct Reply {
    pub frames: Vec<Value>,
    pub close: bool,
}

impl Reply {
    fn none() -> Reply {
        Reply::default()
    }

    fn one(frame: Value) -> Reply {
        Reply {
            frames: vec![frame],
            close: false,
        }
    }

    /// One frame, then close.
    pub fn close_with(frame: Value) -> Reply {
        Reply {
            frames: vec![frame],
            close: true,
        }
    }

    fn close() -> Reply {
        Reply {
            frames: vec![],
            close: true,
        }
    }
}

/// The ids a session is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bound {
    principal: i64,
    partner: Option<i64>,
}

/// A session's state that async work needs.
pub struct Core {
    family: SocketFamily,
    state: AppState,
    conn: u64,
    /// The verified (user_id, token): later frames are checked without a database round trip.
    token: Option<(i64, String)>,
    bound: Option<Bound>,
    pair: Option<PairInfo>,
    /// WS-M: `register` puts the customer inside the chat page, `query_num` outside.
    inside_chat: bool,
    query_nums: u32,
    socket: Option<ConnSocket>,
}

impl Core {
    pub fn new(
        family: SocketFamily,
        state: AppState,
        conn: u64,
        socket: Option<ConnSocket>,
    ) -> Core {
        Core {
            family,
            state,
            conn,
            token: None,
            bound: None,
            pair: None,
            inside_chat: false,
            query_nums: 0,
            socket,
        }
    }

    pub fn family(&self) -> SocketFamily {
        self.family
    }

    /// Handles one parsed frame.
    pub async fn on_frame(mut self, f: Inbound, me: Recipient<Push>) -> (Core, Reply) {
        let reply = match self.frame(f, me).await {
            Ok(reply) => reply,
            Err(e) => {
                if let ApiError::Internal(cause) = &e {
                    tracing::error!(
                        error = format!("{cause:#}"),
                        conn = self.conn,
                        "socket frame failed"
                    );
                }
                Reply::close_with(protocol::broken("服务器繁忙"))
            }
        };
        (self, reply)
    }

    /// Handles one event from the registry.
    pub async fn on_push(mut self, event: Event) -> (Core, Reply) {
        let reply = match self.push(event).await {
            Ok(reply) => reply,
            Err(e) => {
                tracing::warn!(error = %e, conn = self.conn, "push failed; the client catches up over HTTP");
                Reply::none()
            }
        };
        (self, reply)
    }

    async fn frame(&mut self, f: Inbound, me: Recipient<Push>) -> Result<Reply, ApiError> {
        if !self.verify(&f.ids).await? {
            return Ok(Reply::close_with(self.family.token_error()));
        }
        if !self.bind(&f, me).await? {
            return Ok(Reply::close_with(protocol::bad_ids()));
        }
        match self.family {
            SocketFamily::MiniProgram => self.mini_program_frame(f).await,
            SocketFamily::RadarChat => self.radar_chat_frame(f).await,
            SocketFamily::RadarBadge | SocketFamily::RadarContacts => {
                self.radar_count_frame(f).await
            }
        }
    }

    async fn verify(&mut self, ids: &SignedIds) -> Result<bool, ApiError> {
        if let Some((user, token)) = &self.token {
            if *user == ids.user_id {
                return Ok(ids_match(&self.state, ids, token));
            }
        }
        let family = match self.family {
            SocketFamily::MiniProgram => Family::Customer,
            _ => Family::Radar,
        };
        let Some(token) = load_token(&self.state, family, ids.user_id).await? else {
            return Ok(false);
        };
        let ok = ids_match(&self.state, ids, &token);
        if ok {
            self.token = Some((ids.user_id, token));
        }
        Ok(ok)
    }

    /// Binds the session to the frame's ids (first frame, or ids changed). False: no such pair.
    async fn bind(&mut self, f: &Inbound, me: Recipient<Push>) -> Result<bool, ApiError> {
        let wanted = Bound {
            principal: f.ids.user_id,
            partner: f.partner,
        };
        if self.bound == Some(wanted) {
            return Ok(true);
        }
        let (channel, interest, pair) = match (self.family, f.partner) {
            (SocketFamily::MiniProgram, Some(uid)) => {
                let cid = f.ids.user_id;
                (
                    Channel::Customer(cid),
                    Interest::CustomerChat { radar_user: uid },
                    service::pair(&self.state, uid, cid).await?,
                )
            }
            (SocketFamily::RadarChat, Some(cid)) => {
                let uid = f.ids.user_id;
                (
                    Channel::Radar(uid),
                    Interest::RadarChat { customer: cid },
                    service::pair(&self.state, uid, cid).await?,
                )
            }
            (SocketFamily::RadarBadge, _) => {
                (Channel::Radar(f.ids.user_id), Interest::RadarBadge, None)
            }
            (SocketFamily::RadarContacts, _) => {
                (Channel::Radar(f.ids.user_id), Interest::RadarContacts, None)
            }
            _ => return Ok(false),
        };
        if self.family.needs_partner() && pair.is_none() {
            return Ok(false);
        }
        self.state
            .registry
            .send(Bind {
                conn: self.conn,
                channel,
                interest,
                session: me,
                socket: self.socket,
            })
            .await
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("registry unavailable: {e}")))?;
        self.bound = Some(wanted);
        self.pair = pair;
        Ok(true)
    }

    fn pair(&self) -> Result<&PairInfo, ApiError> {
        self.pair
            .as_ref()
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("chat session without a pair")))
    }

    async fn mini_program_frame(&mut self, f: Inbound) -> Result<Reply, ApiError> {
        let pair = self.pair()?.clone();
        Ok(match f.kind {
            Kind::Register => {
                self.inside_chat = true;
                Reply::one(frame(200, "注册成功"))
            }
            Kind::QueryNum => {
                self.inside_chat = false;
                self.query_nums += 1;
                let db = self.state.db.get().await?;
                let badge =
                    store::chat::customer_badge(&db, pair.radar_user, pair.customer).await?;
                let phone = match self.query_nums {
                    1..=3 => store::customer::get(&db, pair.customer)
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
                let text = format!(
                    "确认关闭  customer_id | uid | {}|{}",
                    pair.customer, pair.radar_user
                );
                Reply::close_with(frame(200, &text))
            }
            Kind::Send if self.state.settings.chat.ws_send_enabled => {
                let cmid = f.client_msg_id.clone();
                let draft = Draft {
                    content: f.content.unwrap_or(Value::Null),
                    client_msg_id: f.client_msg_id,
                };
                let sent = service::customer_send(&self.state, &pair, draft).await;
                ack(sent, "小程序消息-发送成功", cmid)?
            }
            Kind::Send | Kind::Other(_) => Reply::none(),
        })
    }

    async fn radar_chat_frame(&mut self, f: Inbound) -> Result<Reply, ApiError> {
        let pair = self.pair()?.clone();
        Ok(match f.kind {
            Kind::Register => Reply::one(frame(199, "注册成功")),
            Kind::Lived => Reply::one(protocol::lived()),
            Kind::Closed => Reply::close(),
            _ if f.content.is_none() => Reply::close_with(protocol::bad_ids()),
            _ if !self.state.settings.chat.ws_send_enabled => Reply::none(),
            _ => {
                let cmid = f.client_msg_id.clone();
                let draft = Draft {
                    content: f.content.unwrap_or(Value::Null),
                    client_msg_id: f.client_msg_id,
                };
                let sent = service::radar_send(&self.state, &pair, draft).await;
                ack(sent, "雷达消息-发送成功", cmid)?
            }
        })
    }

    async fn radar_count_frame(&mut self, f: Inbound) -> Result<Reply, ApiError> {
        let uid = f.ids.user_id;
        Ok(match f.kind {
            Kind::Register => Reply::one(
                self.counts(uid, "注册成功返回【消息数量】成功", None)
                    .await?,
            ),
            Kind::QueryNum => {
                let page = (
                    f.current_page.unwrap_or(1).max(1),
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
    async fn counts(
        &self,
        uid: i64,
        msg: &str,
        page: Option<(i64, i64)>,
    ) -> Result<Value, ApiError> {
        let db = self.state.db.get().await?;
        let badge = store::chat::radar_badge(&db, uid).await?;
        let mut data = json!({"unread_msg_num": badge});
        if self.family == SocketFamily::RadarContacts {
            if let Some((page, len)) = page {
                let (contacts, _) = store::chat::contacts(&db, uid, len, (page - 1) * len).await?;
                let now = Utc::now();
                data["ret_data"] = contacts
                    .iter()
                    .map(|c| render::contact_item(c, now))
                    .collect();
            }
        }
        Ok(frame_data(200, msg, data))
    }

    async fn push(&mut self, event: Event) -> Result<Reply, ApiError> {
        match (self.family, event) {
            (SocketFamily::MiniProgram, Event::Message(m)) => self.push_to_customer(m).await,
            (SocketFamily::RadarChat, Event::Message(m)) => self.push_to_radar(m).await,
            (SocketFamily::RadarChat, Event::ReadReceipt { .. }) => {
                Ok(Reply::one(protocol::read_receipt()))
            }
            (SocketFamily::RadarBadge, _) | (SocketFamily::RadarContacts, _) => {
                let Some(bound) = self.bound else {
                    return Ok(Reply::none());
                };
                Ok(Reply::one(
                    self.counts(
                        bound.principal,
                        "实时获取雷达【消息数量】成功",
                        Some((1, 10)),
                    )
                    .await?,
                ))
            }
            _ => Ok(Reply::none()),
        }
    }

    /// WS-M push: the badge before, and the message read when the customer is inside the chat.
    async fn push_to_customer(&mut self, m: ChatMessage) -> Result<Reply, ApiError> {
        let pair = self.pair()?.clone();
        let mark = (m.unread_for_customer && self.inside_chat).then_some(m.id);
        let seen = self
            .state
            .reader
            .customer(m.radar_user, m.customer, mark)
            .await
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("read-marking unavailable")))?;
        if seen.read > 0 {
            service::publish_read_receipt(&self.state, m.radar_user, m.customer);
        }
        let item = render::customer_item(&m, &pair, false, DateStyle::Plain);
        let data = json!({"ret_data": [item], "count": 1, "unread_msg_num": seen.badge});
        Ok(Reply::one(frame_data(
            200,
            "实时推送小程序-最新聊天信息成功",
            data,
        )))
    }

    /// WS-R1 push: customer messages become read for the radar user (marked in the background;
    /// the reader then announces the changed badge).
    async fn push_to_radar(&mut self, m: ChatMessage) -> Result<Reply, ApiError> {
        let pair = self.pair()?.clone();
        if m.unread_for_radar {
            self.state.reader.radar(m.radar_user, m.customer, m.id);
        }
        let item = render::radar_item(&m, &pair, DateStyle::Plain);
        let data = json!({"ret_data": [item], "count": 1});
        Ok(Reply::one(frame_data(
            200,
            "实时推送雷达-最新聊天信息成功",
            data,
        )))
    }
}

/// The ack of a socket send, or the 301/302/303 answer that keeps the socket open.
fn ack(
    sent: Result<Stored, ApiError>,
    msg: &str,
    client_msg_id: Option<String>,
) -> Result<Reply, ApiError> {
    match sent {
        Ok(s) => {
            let data = json!({"id": s.id, "client_msg_id": client_msg_id, "dateTime": time::datetime(s.create_date)});
            Ok(Reply::one(frame_data(200, msg, data)))
        }
        Err(ApiError::Code { code, msg }) => Ok(Reply::one(frame(code, &msg))),
        Err(e) => Err(e),
    }
}
