//! What a session does with a valid frame or a pushed event: signatures, binding, and dispatch.
//! Runs in the future `Session::submit` lends the core to, one at a time. The replies of each
//! socket family live in `frames`, the handling of pushed events (and their read-state changes) in
//! `pushes`; both are further `impl Core` blocks over the state defined here.

use std::sync::Arc;

use actix::Recipient;
use serde_json::Value;

use crate::auth::{Family, SignedIds};
use crate::chat::event::{Channel, Event};
use crate::chat::protocol::{self, Inbound, SocketFamily};
use crate::chat::registry::{Bind, Interest, Push};
use crate::chat::revocation;
use crate::chat::service;
use crate::chat::session::outbound::Closer;
use crate::chat::Chat;
use crate::error::ApiError;
use crate::ids::{CustomerId, RadarUserId};
use crate::store::{self, chat::PairInfo};

/// Frames to write, and whether to close afterwards (and with which code and reason).
#[derive(Default)]
pub struct Reply {
    /// JSON text frames, in order.
    pub frames: Vec<String>,
    pub close: bool,
    /// The close frame's code and reason; `None` = 1000 without a reason (the legacy closes).
    pub close_code: Option<(u16, &'static str)>,
    /// A push could not be completed (database unreachable): catch up again shortly.
    pub sync_later: bool,
    /// A catch-up sent part of what is missing: go on once the client has read it.
    pub more: bool,
    /// A send to run beside the session's other work; its ack follows when it is stored.
    pub send: Option<super::frames::SendJob>,
}

impl Reply {
    pub(super) fn none() -> Reply {
        Reply::default()
    }

    /// One frame already serialized.
    pub(super) fn text(frame: String) -> Reply {
        Reply {
            frames: vec![frame],
            ..Reply::default()
        }
    }

    pub(super) fn one(frame: Value) -> Reply {
        Reply {
            frames: vec![frame.to_string()],
            ..Reply::default()
        }
    }

    /// One frame, then close.
    pub fn close_with(frame: Value) -> Reply {
        Reply {
            frames: vec![frame.to_string()],
            close: true,
            ..Reply::default()
        }
    }

    pub(super) fn close() -> Reply {
        Reply {
            close: true,
            ..Reply::default()
        }
    }

    /// Runs `job` beside the session's other work.
    pub(super) fn send(job: super::frames::SendJob) -> Reply {
        Reply {
            send: Some(job),
            ..Reply::default()
        }
    }

    /// Closes with `code` and `reason` (1011 server error, 1013 try again later…).
    pub fn close_code(code: u16, reason: &'static str) -> Reply {
        Reply {
            close: true,
            close_code: Some((code, reason)),
            ..Reply::default()
        }
    }
}

/// How a frame that failed ends the socket: 1013 (try again later) with its reason while the
/// database is unreachable; 1011 for anything else unexpected (logged).
pub(super) fn error_reply(e: &ApiError) -> Reply {
    if e.envelope().code == 503 {
        return Reply::close_code(1013, UNAVAILABLE);
    }
    if let ApiError::Internal(cause) = e {
        tracing::error!(error = format!("{cause:#}"), "socket frame failed");
    }
    Reply::close_code(1011, "服务器繁忙")
}

/// Close reason while the database is unreachable (with code 1013, try again later).
pub const UNAVAILABLE: &str = "服务暂时不可用,请稍后重试";

/// How a bind ended.
pub(super) enum Binding {
    Bound,
    /// No such pair (or ids this family does not take): the 401 frame, then close.
    NoPair,
    /// The principal holds `chat.max_listeners_per_principal` listeners on this node already.
    TooMany,
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
    pub(super) chat: Chat,
    conn: u64,
    /// The principal whose token verified this socket's frames, and that token's fingerprint
    /// (for the revocation sweep). Later frames are checked against the node's token cache, so
    /// an idle socket keeps no copy of the token.
    verified: Option<(i64, u64)>,
    pub(super) bound: Option<Bound>,
    /// The chat sockets' pair. What is shown of it (`PairInfo`) is read through the node's pair
    /// cache when a send or push needs it, not kept per socket (issue 10 item 5).
    pair: Option<(RadarUserId, CustomerId)>,
    /// Chat sockets: the highest `seq` of the pair this socket has been sent (or that its client
    /// had before it connected); pushes at or below are dropped, a jump is filled from the
    /// database first, so every message arrives once and in order.
    pub(super) last_seq: Option<i64>,
    /// Badge and contact sockets: the badge last sent, so a catch-up repeats nothing unchanged.
    pub(super) last_badge: Option<i64>,
    /// WS-M: `register` puts the customer inside the chat page, `query_num` outside.
    pub(super) inside_chat: bool,
    pub(super) query_nums: u32,
    /// WS-M: read marks on their way to the database (for the badge of the next pushes).
    pub(super) marks: super::pushes::PendingMarks,
    closer: Option<Closer>,
}

impl Core {
    pub fn new(family: SocketFamily, chat: Chat, conn: u64, closer: Option<Closer>) -> Core {
        Core {
            family,
            chat,
            conn,
            verified: None,
            bound: None,
            pair: None,
            last_seq: None,
            last_badge: None,
            inside_chat: false,
            query_nums: 0,
            marks: Default::default(),
            closer,
        }
    }

    /// Handles one parsed frame. A database outage closes with 1013 (try again later) and its
    /// reason; anything else unexpected with 1011.
    pub async fn on_frame(mut self, f: Inbound, me: Recipient<Push>) -> (Core, Reply) {
        let reply = match self.frame(f, me).await {
            Ok(reply) => reply,
            Err(e) if is_pair_gone(&e) => Reply::close_with(protocol::bad_ids()),
            Err(e) => error_reply(&e),
        };
        (self, reply)
    }

    /// Handles one event from the registry (`None`: catch up from the database). A push that
    /// fails (database unreachable) is not dropped: the session catches up again shortly, from
    /// its last `seq`.
    pub async fn on_push(mut self, event: Option<Arc<Event>>) -> (Core, Reply) {
        let result = match event {
            Some(event) => self.push(&event).await,
            None => self.catch_up().await,
        };
        let reply = match result {
            Ok(reply) => reply,
            Err(e) if is_pair_gone(&e) => Reply::close_with(protocol::bad_ids()),
            Err(e) => {
                tracing::warn!(error = %e, conn = self.conn, "push failed; catching up again shortly");
                Reply {
                    sync_later: true,
                    ..Reply::default()
                }
            }
        };
        (self, reply)
    }

    async fn frame(&mut self, f: Inbound, me: Recipient<Push>) -> Result<Reply, ApiError> {
        if !self.verify(&f.ids).await? {
            return Ok(Reply::close_with(self.family.token_error()));
        }
        match self.bind(&f, me).await? {
            Binding::Bound => {}
            Binding::NoPair => return Ok(Reply::close_with(protocol::bad_ids())),
            Binding::TooMany => {
                return Ok(Reply {
                    frames: vec![protocol::too_many_sockets().to_string()],
                    ..Reply::close_code(1008, protocol::TOO_MANY_SOCKETS)
                })
            }
        }
        match self.family {
            SocketFamily::MiniProgram => self.mini_program_frame(f).await,
            SocketFamily::RadarChat => self.radar_chat_frame(f).await,
            SocketFamily::RadarBadge | SocketFamily::RadarContacts => {
                self.radar_count_frame(f).await
            }
        }
    }

    /// The principal table of this socket family.
    fn auth_family(&self) -> Family {
        match self.family {
            SocketFamily::MiniProgram => Family::Customer,
            _ => Family::Radar,
        }
    }

    async fn verify(&mut self, ids: &SignedIds) -> Result<bool, ApiError> {
        let family = self.auth_family();
        let Some(token) = self.chat.tokens.load(family, ids.user_id).await? else {
            return Ok(false);
        };
        let ok = self.chat.tokens.matches(ids, &token);
        if ok {
            self.verified = Some((ids.user_id, revocation::fingerprint(&token)));
        }
        Ok(ok)
    }

    /// Binds the session to the frame's ids (first frame, or ids changed).
    async fn bind(&mut self, f: &Inbound, me: Recipient<Push>) -> Result<Binding, ApiError> {
        let wanted = Bound {
            principal: f.ids.user_id,
            partner: f.partner,
        };
        if self.bound == Some(wanted) {
            return Ok(Binding::Bound);
        }
        let (channel, interest, pair) = match (self.family, f.partner) {
            (SocketFamily::MiniProgram, Some(uid)) => {
                let (uid, cid) = (RadarUserId(uid), CustomerId(f.ids.user_id));
                (
                    Channel::Customer(cid),
                    Interest::CustomerChat { radar_user: uid },
                    service::pair_exists(&self.chat, uid, cid).await?,
                )
            }
            (SocketFamily::RadarChat, Some(cid)) => {
                let (uid, cid) = (RadarUserId(f.ids.user_id), CustomerId(cid));
                (
                    Channel::Radar(uid),
                    Interest::RadarChat { customer: cid },
                    service::pair_exists(&self.chat, uid, cid).await?,
                )
            }
            (SocketFamily::RadarBadge, _) => (
                Channel::Radar(RadarUserId(f.ids.user_id)),
                Interest::RadarBadge,
                None,
            ),
            (SocketFamily::RadarContacts, _) => (
                Channel::Radar(RadarUserId(f.ids.user_id)),
                Interest::RadarContacts,
                None,
            ),
            _ => return Ok(Binding::NoPair),
        };
        if self.family.needs_partner() && pair.is_none() {
            return Ok(Binding::NoPair);
        }
        let accepted = self
            .chat
            .registry
            .send(Bind {
                conn: self.conn,
                channel,
                interest,
                session: me,
                closer: self.closer.clone(),
                // For the node's revocation sweep; `verify` set the token before any bind.
                token: self.verified.map_or(0, |(_, fingerprint)| fingerprint),
            })
            .await
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("registry unavailable: {e}")))?;
        if !accepted {
            // Bound nowhere now (a rebind left its old channel): the socket is closed.
            self.bound = None;
            return Ok(Binding::TooMany);
        }
        // Subscribed: everything committed from now on is pushed; what came before is the
        // client's history (or is replayed by `register` with a resume point).
        self.last_seq = match pair {
            Some((radar_user, customer)) => {
                let db = self.chat.db.get().await?;
                Some(store::chat::conversation_seq(&db, radar_user, customer).await?)
            }
            None => None,
        };
        self.bound = Some(wanted);
        self.pair = pair;
        Ok(Binding::Bound)
    }

    /// The chat socket's pair.
    pub(super) fn pair_ids(&self) -> Result<(RadarUserId, CustomerId), ApiError> {
        self.pair
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("chat session without a pair")))
    }

    /// What is shown of the pair, if the node's cache has it now (no I/O).
    pub(super) fn pair_cached(&self) -> Option<Arc<PairInfo>> {
        service::pair_cached(&self.chat, self.pair?)
    }

    /// What is shown of the pair: from the node's cache, or read again. A pair that is gone
    /// (its radar user left the company) ends the socket as its bad ids would have at bind.
    pub(super) async fn pair(&self) -> Result<Arc<PairInfo>, ApiError> {
        if let Some(pair) = self.pair_cached() {
            return Ok(pair);
        }
        let (radar_user, customer) = self.pair_ids()?;
        service::pair(&self.chat, radar_user, customer)
            .await?
            .ok_or_else(|| ApiError::code(302, PAIR_GONE))
    }
}

/// The error of a chat socket whose pair no longer exists; never shown (the socket closes with
/// the bad-ids frame).
const PAIR_GONE: &str = "the socket's pair is gone";

fn is_pair_gone(e: &ApiError) -> bool {
    matches!(e, ApiError::Code { code: 302, msg } if msg == PAIR_GONE)
}
