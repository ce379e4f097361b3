//! What a session sends for an event pushed by the registry, as `impl Core`: the new message on
//! the chat sockets (marking it read where the spec says so), a read receipt, or fresh counts on
//! the badge/contact sockets.
//!
//! Chat sockets deliver each conversation gap-free and in order: a message at or below the
//! socket's `last_seq` was sent already (a resend, a catch-up) and is dropped; one above
//! `last_seq + 1` means events were lost on the way (a bus outage, a node that died after its
//! commit), so the missing range is read from PostgreSQL and sent first. `catch_up` does the same
//! without a triggering message, when the registry says events may have been missed.

use super::core::{Core, Reply};
use crate::chat::event::{ChatMessage, Event};
use crate::chat::protocol::{self, SocketFamily};
use crate::chat::render::{CustomerItem, DateStyle, PushFrame, RadarItem};
use crate::chat::service;
use crate::error::ApiError;
use crate::store;

/// Most messages read from the database in one round of a gap fill or catch-up.
const FILL_PAGE: i64 = 500;

impl Core {
    pub(super) async fn push(&mut self, event: &Event) -> Result<Reply, ApiError> {
        match (self.family, event) {
            (SocketFamily::MiniProgram | SocketFamily::RadarChat, Event::Message(m)) => {
                self.deliver_in_order(m).await
            }
            (SocketFamily::RadarChat, Event::ReadReceipt { .. }) => {
                Ok(Reply::one(protocol::read_receipt()))
            }
            (SocketFamily::RadarBadge | SocketFamily::RadarContacts, _) => {
                self.fresh_counts(false).await
            }
            _ => Ok(Reply::none()),
        }
    }

    /// Sends whatever the socket may have missed: the rest of its conversation after `last_seq`,
    /// or the counts when they changed.
    pub(super) async fn catch_up(&mut self) -> Result<Reply, ApiError> {
        match self.family {
            SocketFamily::MiniProgram | SocketFamily::RadarChat => {
                let mut reply = Reply::none();
                self.fill(i64::MAX, &mut reply).await?;
                Ok(reply)
            }
            SocketFamily::RadarBadge | SocketFamily::RadarContacts => self.fresh_counts(true).await,
        }
    }

    /// The badge (and contact page) frame; with `only_if_changed`, nothing when the badge is the
    /// one last sent.
    async fn fresh_counts(&mut self, only_if_changed: bool) -> Result<Reply, ApiError> {
        let Some(bound) = self.bound else {
            return Ok(Reply::none());
        };
        let frame = self
            .counts(
                bound.principal,
                "实时获取雷达【消息数量】成功",
                Some((1, 10)),
            )
            .await?;
        let badge = frame["data"]["unread_msg_num"].as_i64();
        if only_if_changed && badge == self.last_badge {
            return Ok(Reply::none());
        }
        self.last_badge = badge;
        Ok(Reply::one(frame))
    }

    /// Sends `m` after whatever is missing before it; nothing if it was sent already.
    async fn deliver_in_order(&mut self, m: &ChatMessage) -> Result<Reply, ApiError> {
        let mut reply = Reply::none();
        let before = self.last_seq;
        if let Some(last) = before {
            if m.seq <= last {
                return Ok(reply);
            }
            if m.seq > last + 1 && !self.fill(m.seq, &mut reply).await? {
                // Too much is missing for one reply: `m` comes from the database with the rest.
                return Ok(reply);
            }
        }
        let seq = m.seq;
        match self.render_push(m).await {
            Ok(frame) => reply.frames.push(frame),
            Err(e) => {
                // The filled frames are dropped with the reply: resend them on the catch-up.
                self.last_seq = before;
                return Err(e);
            }
        }
        self.last_seq = Some(seq);
        Ok(reply)
    }

    /// Appends the pair's messages after `last_seq` and below `before` to `reply`, in order.
    /// Sends at most half the outbound bound per reply, so a client far behind is not closed
    /// for it: when more is missing, `reply.more` asks the session to go on once the client has
    /// read what was sent. True when everything below `before` was appended.
    pub(super) async fn fill(&mut self, before: i64, reply: &mut Reply) -> Result<bool, ApiError> {
        let (Some(pair), Some(mut last)) = (self.pair_opt(), self.last_seq) else {
            return Ok(true);
        };
        let room = (self.state.settings.chat.outbound_queue_frames / 2).max(1) as i64;
        let limit = FILL_PAGE.min(room);
        let db = self.state.db.get().await?;
        let page = store::chat::between_seqs(&db, pair.0, pair.1, (last, before), limit).await?;
        drop(db);
        let complete = (page.len() as i64) < limit;
        for m in page {
            last = m.seq;
            reply.frames.push(self.render_push(&m).await?);
        }
        // Only now: on an error above, the reply is dropped and a later catch-up starts again
        // from the old `last_seq`.
        self.last_seq = Some(last);
        reply.more |= !complete;
        Ok(complete)
    }

    fn pair_opt(&self) -> Option<(i64, i64)> {
        self.pair().ok().map(|p| (p.radar_user, p.customer))
    }

    async fn render_push(&mut self, m: &ChatMessage) -> Result<String, ApiError> {
        match self.family {
            SocketFamily::MiniProgram => self.push_to_customer(m).await,
            _ => self.push_to_radar(m),
        }
    }

    /// WS-M push: the badge before, and the message read when the customer is inside the chat.
    async fn push_to_customer(&mut self, m: &ChatMessage) -> Result<String, ApiError> {
        let pair = self.pair()?.clone();
        let mark = (m.unread_for_customer && self.inside_chat).then_some(m.seq);
        let seen = self
            .state
            .reader
            .customer(m.radar_user, m.customer, mark)
            .await
            .ok_or(ApiError::Unavailable)?;
        if seen.read > 0 {
            service::publish_read_receipt(&self.state, m.radar_user, m.customer);
        }
        let item = CustomerItem::new(m, &pair, false, DateStyle::Plain);
        Ok(PushFrame::new("实时推送小程序-最新聊天信息成功", item, Some(seen.badge)).to_text())
    }

    /// WS-R1 push: customer messages become read for the radar user (marked in the background;
    /// the reader then announces the changed badge).
    fn push_to_radar(&mut self, m: &ChatMessage) -> Result<String, ApiError> {
        let pair = self.pair()?.clone();
        if m.unread_for_radar {
            self.state.reader.radar(m.radar_user, m.customer, m.seq);
        }
        let item = RadarItem::new(m, &pair, DateStyle::Plain);
        Ok(PushFrame::new("实时推送雷达-最新聊天信息成功", item, None).to_text())
    }
}
