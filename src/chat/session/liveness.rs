//! How a session ends on its own: the heartbeat (a silent client), the bind deadline (a socket
//! that never proves who it is), revocation (its account lost access), a client that stopped
//! reading, and closes with a code and reason. Another `impl Session` block, beside `mod.rs`.

use std::time::Duration;

use actix::prelude::*;
use actix_web_actors::ws;

use super::Session;
use crate::chat::registry::SLOW_CONSUMER;
use crate::telemetry::metrics::names;

/// How soon the bind deadline looks again while the session's first frame is still being handled.
const BIND_RECHECK: Duration = Duration::from_secs(1);

/// The close reason (code 1008) of a socket that sent no valid signed frame in time.
const UNBOUND_REASON: &str = "连接超时未验证";

impl Session {
    /// Closes a session whose client stopped reading: a close frame with the reason (for a client
    /// that reads again), then the connection is cut off so the backlog is not kept.
    pub(super) fn give_up(&mut self, ctx: &mut ws::WebsocketContext<Self>) {
        tracing::info!(
            conn = self.conn,
            "closing a websocket whose client stopped reading"
        );
        metrics::counter!(names::WS_SLOW_CONSUMER_CLOSES, "kind" => self.family.label())
            .increment(1);
        self.closer.close(1008, SLOW_CONSUMER);
        ctx.stop();
    }

    /// Closes with `code` and `reason` after the frames already written.
    pub(super) fn close_with_code(
        &mut self,
        code: u16,
        reason: &str,
        ctx: &mut ws::WebsocketContext<Self>,
    ) {
        ctx.close(Some(ws::CloseReason {
            code: ws::CloseCode::from(code),
            description: Some(reason.to_owned()),
        }));
        ctx.stop();
    }

    /// Closes a session whose account lost access (disabled, deleted, or its company deleted) or
    /// whose token changed, as the node's revocation sweep found (`chat::revocation`): the
    /// family's token error frame, then close code 1008 (policy) with the reason.
    pub(super) fn revoked(&mut self, ctx: &mut ws::WebsocketContext<Self>) {
        tracing::info!(
            conn = self.conn,
            "closing a websocket whose account lost access"
        );
        let frame = self.family.token_error();
        self.send(&frame, ctx);
        self.pending.clear();
        self.close_with_code(1008, "账号已停用", ctx);
    }

    /// Closes the socket unless a valid signed frame has bound it within `chat.client_timeout_secs`.
    /// Answering pings keeps a socket alive, so without this anyone could hold connections (and
    /// the node's file descriptors) for ever without ever proving who they are.
    pub(super) fn bind_deadline(&self, ctx: &mut ws::WebsocketContext<Self>) {
        let after = Duration::from_secs(self.chat.settings.chat.client_timeout_secs);
        ctx.run_later(after, Self::close_if_unbound);
    }

    fn close_if_unbound(&mut self, ctx: &mut ws::WebsocketContext<Self>) {
        match &self.core {
            Some(core) if core.bound.is_some() => {}
            Some(_) => {
                tracing::debug!(conn = self.conn, "closing a websocket that never bound");
                metrics::counter!(names::WS_UNBOUND_CLOSES, "kind" => self.family.label())
                    .increment(1);
                self.pending.clear();
                self.close_with_code(1008, UNBOUND_REASON, ctx);
            }
            // A frame is being handled right now (maybe the one that binds): look again shortly.
            None => {
                ctx.run_later(BIND_RECHECK, Self::close_if_unbound);
            }
        }
    }

    pub(super) fn heartbeat(&self, ctx: &mut ws::WebsocketContext<Self>) {
        let limits = &self.chat.settings.chat;
        let (every, timeout) = (
            Duration::from_secs(limits.heartbeat_secs),
            Duration::from_secs(limits.client_timeout_secs),
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
