//! One actor per websocket (spec §6.6): heartbeat, limits, and the legacy frames of its family.
//!
//! The actor owns the socket-facing parts (outbound queue, rate limit, liveness). Everything that
//! needs I/O lives in `core::Core`, which the actor lends to one future at a time with `ctx.wait`,
//! so a session handles its frames and pushes strictly in order. A session delivers nothing until
//! its first valid frame binds it (in the registry) to the ids that frame carries.

mod core;
mod frames;
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
use self::outbound::{FlushCounter, Outbound};
use self::socket::ConnSocket;
use crate::chat::protocol::{self, SocketFamily};
use crate::chat::registry::{next_conn_id, Push, Unbind};
use crate::state::AppState;

/// What a session hands its core, one at a time.
enum Work {
    Frame(protocol::Inbound),
    Push(crate::chat::event::Event),
}

/// One socket's actor.
pub struct Session {
    core: Option<Core>,
    family: SocketFamily,
    /// Frames and pushes waiting while the core is lent out, in arrival order.
    pending: VecDeque<Work>,
    state: AppState,
    conn: u64,
    out: Outbound,
    last_seen: Instant,
    rate: RateLimit,
    socket: Option<ConnSocket>,
}

impl Session {
    /// A session of `family`; `counter` is shared with the response stream (see `outbound`).
    pub fn new(
        family: SocketFamily,
        state: AppState,
        counter: Arc<FlushCounter>,
        socket: Option<ConnSocket>,
    ) -> Session {
        let chat = &state.settings.chat;
        let out = Outbound::new(
            counter,
            chat.outbound_queue_bytes,
            chat.outbound_queue_frames,
        );
        let rate = RateLimit::new(chat.rate_per_sec, chat.rate_burst);
        let conn = next_conn_id();
        Session {
            core: Some(Core::new(family, state.clone(), conn, socket)),
            family,
            pending: VecDeque::new(),
            state,
            conn,
            out,
            last_seen: Instant::now(),
            rate,
            socket,
        }
    }

    /// Closes a session whose client stopped reading: a close frame with the reason (for a client
    /// that reads again), then the connection is cut off so the backlog is not kept.
    fn give_up(&mut self, ctx: &mut ws::WebsocketContext<Self>) {
        tracing::info!(
            conn = self.conn,
            "closing a websocket whose client stopped reading"
        );
        ctx.close(Some(ws::CloseReason {
            code: ws::CloseCode::Policy,
            description: Some("outbound queue full: client not reading".to_owned()),
        }));
        self.out.abort();
        if let Some(socket) = &self.socket {
            socket.cut_off();
        }
        ctx.stop();
    }

    /// Writes one frame, closing the session when the outbound queue is over its bounds.
    fn send(&mut self, frame: &Value, ctx: &mut ws::WebsocketContext<Self>) {
        let text = frame.to_string();
        if !self.out.record(text.len()) {
            self.give_up(ctx);
            return;
        }
        ctx.text(text);
    }

    fn apply(&mut self, reply: Reply, ctx: &mut ws::WebsocketContext<Self>) {
        for frame in &reply.frames {
            self.send(frame, ctx);
        }
        if reply.close {
            ctx.close(Some(ws::CloseCode::Normal.into()));
            ctx.stop();
        }
    }

    /// Hands `work` to the core, or queues it while the core is lent out: a frame or push may
    /// arrive before the running one finishes (actix polls the socket in the same pass that
    /// started the wait), and none may be dropped or reordered.
    fn submit(&mut self, work: Work, ctx: &mut ws::WebsocketContext<Self>) {
        let Some(core) = self.core.take() else {
            if self.pending.len() >= self.state.settings.chat.outbound_queue_frames {
                self.give_up(ctx);
            } else {
                self.pending.push_back(work);
            }
            return;
        };
        let me = ctx.address().recipient();
        let fut = async move {
            match work {
                Work::Frame(inbound) => core.on_frame(inbound, me).await,
                Work::Push(event) => core.on_push(event).await,
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
        };
        self.submit(Work::Frame(inbound), ctx);
    }

    fn heartbeat(&self, ctx: &mut ws::WebsocketContext<Self>) {
        let chat = &self.state.settings.chat;
        let (every, timeout) = (
            Duration::from_secs(chat.heartbeat_secs),
            Duration::from_secs(chat.client_timeout_secs),
        );
        ctx.run_interval(every, move |act, ctx| {
            if act.last_seen.elapsed() > timeout {
                tracing::debug!(conn = act.conn, "websocket heartbeat timeout");
                ctx.stop();
                return;
            }
            if act.out.record(0) {
                ctx.ping(b"");
            } else {
                act.give_up(ctx);
            }
        });
    }
}

impl Actor for Session {
    type Context = ws::WebsocketContext<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(self.state.settings.chat.outbound_queue_frames);
        self.heartbeat(ctx);
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        // Every way a socket ends comes through here, heartbeat timeouts and overflows included.
        self.state.registry.do_send(Unbind { conn: self.conn });
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
            Ok(ws::Message::Continuation(_)) => {
                self.apply(Reply::close_with(protocol::broken("不支持分片消息")), ctx)
            }
            Ok(ws::Message::Close(reason)) => {
                ctx.close(reason);
                ctx.stop();
            }
            Err(e) => {
                tracing::debug!(conn = self.conn, error = %e, "websocket protocol error");
                self.apply(
                    Reply::close_with(protocol::broken("消息过大或格式错误")),
                    ctx,
                );
            }
        }
    }
}

impl Handler<Push> for Session {
    type Result = ();

    fn handle(&mut self, push: Push, ctx: &mut Self::Context) {
        match push {
            Push::Overflow => self.give_up(ctx),
            Push::Event(event) => self.submit(Work::Push(event), ctx),
        }
    }
}

/// Token bucket for inbound frames.
#[derive(Debug)]
struct RateLimit {
    per_sec: f64,
    burst: f64,
    tokens: f64,
    at: Instant,
}

impl RateLimit {
    fn new(per_sec: u32, burst: u32) -> RateLimit {
        let burst = f64::from(burst.max(1));
        RateLimit {
            per_sec: f64::from(per_sec),
            burst,
            tokens: burst,
            at: Instant::now(),
        }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.at).as_secs_f64() * self.per_sec)
            .min(self.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_limit_allows_a_burst_then_refuses() {
        let mut r = RateLimit::new(1, 3);
        assert!(r.take() && r.take() && r.take());
        assert!(!r.take());
    }
}
