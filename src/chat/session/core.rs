//! What a session does with a valid frame or a pushed event: signatures, binding, and dispatch.
//! Runs inside `Session::run`, one future at a time. The replies of each socket family live in
//! `frames`, the handling of pushed events (and their read-state changes) in `pushes`; both are
//! further `impl Core` blocks over the state defined here.

use actix::Recipient;
use serde_json::Value;

use crate::chat::event::{Channel, Event};
use crate::chat::protocol::{self, Inbound, SocketFamily};
use crate::chat::registry::{Bind, Interest, Push};
use crate::chat::service;
use crate::chat::session::socket::ConnSocket;
use crate::error::ApiError;
use crate::http::auth::{ids_match, load_token, Family, SignedIds};
use crate::state::AppState;
use crate::store::chat::PairInfo;

/// Frames to write, and whether to close afterwards.
#[derive(Debug, Default)]
pub struct Reply {
    pub frames: Vec<Value>,
    pub close: bool,
}

impl Reply {
    pub(super) fn none() -> Reply {
        Reply::default()
    }

    pub(super) fn one(frame: Value) -> Reply {
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

    pub(super) fn close() -> Reply {
        Reply {
            frames: vec![],
            close: true,
        }
    }
}

/// The ids a session is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Bound {
    pub(super) principal: i64,
    partner: Option<i64>,
}

/// A session's state that async work needs.
pub struct Core {
    pub(super) family: SocketFamily,
    pub(super) state: AppState,
    conn: u64,
    /// The verified (user_id, token): later frames are checked without a database round trip.
    token: Option<(i64, String)>,
    pub(super) bound: Option<Bound>,
    pair: Option<PairInfo>,
    /// WS-M: `register` puts the customer inside the chat page, `query_num` outside.
    pub(super) inside_chat: bool,
    pub(super) query_nums: u32,
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

    pub(super) fn pair(&self) -> Result<&PairInfo, ApiError> {
        self.pair
            .as_ref()
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("chat session without a pair")))
    }
}
