//! One actor per websocket (spec §6.6): heartbeat, limits, and the legacy frames of its family.
//!
//! The actor owns the socket-facing parts (outbound queue, rate limit, liveness). Everything that
//! needs I/O lives in `core::Core`, which the actor lends to one future at a time with `ctx.wait`,
//! so a session handles its frames and pushes strictly in order. A session delivers nothing until
//! its first valid frame binds it (in the registry) to the ids that frame carries; one that sends
//! no valid frame within `chat.client_timeout_secs` is closed.
//!
//! Here: the actor (frames in order, acks in send order). Beside it: `liveness` (how a session
//! ends: heartbeat, bind deadline, revocation, a client that stopped reading), `held` (its own
//! side's echoes held until the sends that may have made them are acked), `inbound` (fragments and
//! the rate limit), `core` with `frames` and `pushes` (what a frame or a pushed event does),
//! `outbound` (the bounded outbound queue and the `Closer`), `socket` (the TCP socket under the
//! websocket). A chat socket keeps only its pair's ids; what it shows of the pair comes from the
//! node's pair cache when a send or push needs it.

mod core;
mod frames;
mod held;
mod inbound;
mod liveness;
pub mod outbound;
mod pushes;
pub mod socket;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use actix_web_actors::ws;
use serde_json::Value;

use self::core::{Core, Reply};
use self::frames::SendJob;
use self::held::Held;
use self::inbound::RateLimit;
use self::outbound::{Closer, FlushCounter, Outbound};
use self::socket::ConnSocket;
use crate::chat::protocol::{self, SocketFamily};
use crate::chat::registry::{next_conn_id, Push, Unbind};
use crate::chat::Chat;
use crate::telemetry::metrics::names;
use actix_web::web::BytesMut;

/// What a session hands its core, one at a time.
enum Work {
    Frame(Box<protocol::Inbound>),
    Push(Arc<crate::chat::event::Event>),
    /// Catch up from the database (events may have been missed).
    Sync,
    /// Close with 1012: the node is shutting down.
    Shutdown,
}

/// The reason of the 1012 close on shutdown: the client should reconnect (to another node).
pub const SHUTDOWN_REASON: &str = "服务器重启,请重新连接";

/// How long a session waits before catching up after a push failed.
const SYNC_RETRY: Duration = Duration::from_secs(1);
/// How often a catch-up too big for one reply checks whether the client has read on.
const CATCH_UP_PAUSE: Duration = Duration::from_millis(20);
/// One socket's actor.
pub struct Session {
    core: Option<Core>,
    family: SocketFamily,
    /// Frames and pushes waiting while the core is lent out, in arrival order.
    pending: VecDeque<Work>,
    /// The node's chat core: one pointer, shared with every session of the node and the core.
    chat: Chat,
    conn: u64,
    out: Outbound,
    last_seen: Instant,
    rate: RateLimit,
    closer: Closer,
    /// A fragmented text message being reassembled (RFC 6455 §5.4).
    fragments: Option<BytesMut>,
    /// Sends being stored beside the session's other work, and their acks in order.
    sends: Sends,
    /// Pushes of this side's own messages, held so that a send's ack precedes its echo (and
    /// every push after a held one, to keep their order); see `held`.
    held: Held<Arc<crate::chat::event::Event>>,
    /// Shutdown asked while sends were in flight: close once their acks are written.
    close_after_sends: bool,
}

/// Socket sends in flight: numbered as they start, acked strictly in that order.
#[derive(Default)]
struct Sends {
    started: u64,
    acked: u64,
    done: std::collections::BTreeMap<u64, Reply>,
}

impl Sends {
    fn in_flight(&self) -> bool {
        self.started > self.acked
    }
}

impl Session {
    /// A session of `family`; `counter` is shared with the response stream (see `outbound`).
    pub fn new(
        family: SocketFamily,
        chat: Chat,
        counter: Arc<FlushCounter>,
        socket: Option<ConnSocket>,
    ) -> Session {
        let limits = &chat.settings.chat;
        let out = Outbound::new(
            counter.clone(),
            limits.outbound_queue_bytes,
            limits.outbound_queue_frames,
        );
        let rate = RateLimit::new(limits.rate_per_sec, limits.rate_burst);
        let conn = next_conn_id();
        let closer = Closer::new(counter, socket);
        Session {
            core: Some(Core::new(family, chat.clone(), conn, Some(closer.clone()))),
            family,
            pending: VecDeque::new(),
            chat,
            conn,
            out,
            last_seen: Instant::now(),
            rate,
            closer,
            fragments: None,
            sends: Sends::default(),
            held: Held::default(),
            close_after_sends: false,
        }
    }

    /// Writes one frame, closing the session when the outbound queue is over its bounds.
    fn send(&mut self, frame: &Value, ctx: &mut ws::WebsocketContext<Self>) {
        self.send_text(frame.to_string(), ctx);
    }

    /// Writes one JSON text frame, closing the session when the outbound queue is over its bounds.
    fn send_text(&mut self, text: String, ctx: &mut ws::WebsocketContext<Self>) {
        if !self.out.record(text.len()) {
            self.give_up(ctx);
            return;
        }
        metrics::counter!(names::WS_FRAMES_OUT, "kind" => self.family.label()).increment(1);
        ctx.text(text);
    }

    /// Stores a socket send without holding up the session: pushes keep flowing while it
    /// commits, and its ack is written in the order the sends came.
    fn start_send(&mut self, job: SendJob, ctx: &mut ws::WebsocketContext<Self>) {
        let n = self.sends.started;
        self.sends.started += 1;
        ctx.spawn(
            job.start(&self.chat)
                .into_actor(self)
                .map(move |result, act, ctx| {
                    let reply = match result {
                        Ok(reply) => reply,
                        Err(e) => self::core::error_reply(&e),
                    };
                    act.sends.done.insert(n, reply);
                    act.write_acks(ctx);
                }),
        );
    }

    /// Writes the acks that are next in order, then releases the pushes held behind them.
    fn write_acks(&mut self, ctx: &mut ws::WebsocketContext<Self>) {
        while let Some(reply) = self.sends.done.remove(&self.sends.acked) {
            self.sends.acked += 1;
            self.apply(reply, ctx);
        }
        for event in self.held.release(self.sends.acked) {
            self.push(event, ctx);
        }
        if self.sends.in_flight() || !self.held.is_empty() {
            return;
        }
        if self.close_after_sends {
            self.submit(Work::Shutdown, ctx);
        }
    }

    /// Goes on with a catch-up once the client has read at least half of what waits for it (a
    /// client that stopped reading is closed by the outbound bound or the heartbeat instead).
    fn continue_catch_up(&mut self, ctx: &mut ws::WebsocketContext<Self>) {
        ctx.run_later(CATCH_UP_PAUSE, |act, ctx| {
            if act.out.pending_frames() * 2 > act.chat.settings.chat.outbound_queue_frames {
                act.continue_catch_up(ctx);
            } else {
                act.submit(Work::Sync, ctx);
            }
        });
    }

    /// Whether `event` is a message of this socket's own side (maybe the echo of its send).
    fn own_side(&self, event: &crate::chat::event::Event) -> bool {
        use crate::chat::event::Event;
        match (self.family, event) {
            (SocketFamily::MiniProgram, Event::Message(m)) => m.send_type == 2,
            (SocketFamily::RadarChat, Event::Message(m)) => m.send_type == 1,
            _ => false,
        }
    }

    fn apply(&mut self, mut reply: Reply, ctx: &mut ws::WebsocketContext<Self>) {
        if let Some(job) = reply.send.take() {
            self.start_send(job, ctx);
        }
        for frame in reply.frames {
            self.send_text(frame, ctx);
        }
        if reply.sync_later {
            ctx.run_later(SYNC_RETRY, |act, ctx| act.submit(Work::Sync, ctx));
        }
        if reply.more {
            self.continue_catch_up(ctx);
        }
        match (reply.close, reply.close_code) {
            (true, Some((code, reason))) => self.close_with_code(code, reason, ctx),
            (true, None) => {
                ctx.close(Some(ws::CloseCode::Normal.into()));
                ctx.stop();
            }
            (false, _) => {}
        }
    }

    /// Answers a push at once when it needs no I/O (the usual live message), else through the
    /// core's queue like any other work.
    fn push(
        &mut self,
        event: Arc<crate::chat::event::Event>,
        ctx: &mut ws::WebsocketContext<Self>,
    ) {
        if self.pending.is_empty() {
            if let Some(core) = self.core.as_mut() {
                if let Some(result) = core.push_now(&event) {
                    // As `Core::on_push`: a push that failed is caught up shortly.
                    let reply = result.unwrap_or_else(|e| {
                        tracing::warn!(error = %e, conn = self.conn, "push failed; catching up again shortly");
                        Reply {
                            sync_later: true,
                            ..Reply::default()
                        }
                    });
                    return self.apply(reply, ctx);
                }
            }
        }
        self.submit(Work::Push(event), ctx);
    }

    /// Hands `work` to the core, or queues it while the core is lent out: a frame or push may
    /// arrive before the running one finishes (actix polls the socket in the same pass that
    /// started the wait), and none may be dropped or reordered.
    fn submit(&mut self, work: Work, ctx: &mut ws::WebsocketContext<Self>) {
        if matches!(work, Work::Shutdown) && self.core.is_some() {
            if self.sends.in_flight() {
                self.close_after_sends = true;
                return;
            }
            return self.close_with_code(1012, SHUTDOWN_REASON, ctx);
        }
        let Some(core) = self.core.take() else {
            if self.pending.len() >= self.chat.settings.chat.outbound_queue_frames {
                self.give_up(ctx);
            } else {
                self.pending.push_back(work);
            }
            return;
        };
        let me = ctx.address().recipient();
        let fut = async move {
            match work {
                Work::Frame(inbound) => core.on_frame(*inbound, me).await,
                Work::Push(event) => core.on_push(Some(event)).await,
                Work::Sync | Work::Shutdown => core.on_push(None).await,
            }
        };
        ctx.wait(fut.into_actor(self).map(|(core, reply), act, ctx| {
            act.core = Some(core);
            let close = reply.close;
            act.apply(reply, ctx);
            if close {
                act.pending.clear();
            } else if let Some(next) = act.pending.pop_front() {
                act.submit(next, ctx);
            }
        }));
    }

    fn on_text(&mut self, text: &str, ctx: &mut ws::WebsocketContext<Self>) {
        metrics::counter!(names::WS_FRAMES_IN, "kind" => self.family.label()).increment(1);
        if !self.rate.take() {
            self.send(&protocol::too_fast(), ctx);
            return;
        }
        let inbound = match protocol::parse(text, self.family) {
            Ok(inbound) => inbound,
            Err(protocol::FrameError::NotJson) => {
                return self.apply(Reply::close_with(protocol::broken("消息格式错误")), ctx)
            }
            Err(protocol::FrameError::BadIds) => {
                return self.apply(Reply::close_with(protocol::bad_ids()), ctx)
            }
            Err(protocol::FrameError::Nul) => return self.send(&protocol::nul(), ctx),
        };
        self.submit(Work::Frame(Box::new(inbound)), ctx);
    }
}

impl Actor for Session {
    type Context = ws::WebsocketContext<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(self.chat.settings.chat.outbound_queue_frames);
        metrics::gauge!(names::WS_SESSIONS, "kind" => self.family.label()).increment(1.0);
        self.heartbeat(ctx);
        self.bind_deadline(ctx);
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        // Every way a socket ends comes through here, heartbeat timeouts and overflows included.
        metrics::gauge!(names::WS_SESSIONS, "kind" => self.family.label()).decrement(1.0);
        self.chat.registry.do_send(Unbind { conn: self.conn });
    }
}

impl StreamHandler<Result<ws::Message, ws::ProtocolError>> for Session {
    fn handle(&mut self, msg: Result<ws::Message, ws::ProtocolError>, ctx: &mut Self::Context) {
        self.last_seen = Instant::now();
        match msg {
            Ok(ws::Message::Text(text)) => self.on_text(&text, ctx),
            Ok(ws::Message::Binary(_)) => {
                self.apply(Reply::close_with(protocol::broken("不支持二进制消息")), ctx)
            }
            Ok(ws::Message::Ping(payload)) => ctx.pong(&payload),
            Ok(ws::Message::Pong(_)) | Ok(ws::Message::Nop) => {}
            Ok(ws::Message::Continuation(item)) => self.on_fragment(item, ctx),
            Ok(ws::Message::Close(reason)) => {
                ctx.close(reason);
                ctx.stop();
            }
            Err(e) => {
                tracing::debug!(conn = self.conn, error = %e, "websocket protocol error");
                let (code, reason) = match &e {
                    ws::ProtocolError::Overflow => (1009, "消息过大"),
                    // actix reports a text frame that is not UTF-8 as an I/O error.
                    ws::ProtocolError::Io(io) if io.to_string().contains("utf-8") => {
                        (1007, "消息不是有效的UTF-8文本")
                    }
                    _ => (1002, "消息格式错误"),
                };
                self.close_with_code(code, reason, ctx);
            }
        }
    }
}

impl Handler<Push> for Session {
    type Result = ();

    fn handle(&mut self, push: Push, ctx: &mut Self::Context) {
        match push {
            Push::Event(event) => {
                let own_side = self.own_side(&event);
                let (started, acked) = (self.sends.started, self.sends.acked);
                if let Some(event) = self.held.admit(event, own_side, started, acked) {
                    self.push(event, ctx);
                }
            }
            Push::Sync => self.submit(Work::Sync, ctx),
            Push::Shutdown => self.submit(Work::Shutdown, ctx),
            Push::Revoked => self.revoked(ctx),
        }
    }
}
