//! What a session sends for an event pushed by the registry, as `impl Core`: the new message on
//! the chat sockets (marking it read where the spec says so), a read receipt, or fresh counts on
//! the badge/contact sockets.
//!
//! Chat sockets deliver each conversation gap-free and in order: a message at or below the
//! socket's `last_seq` was sent already (a resend, a catch-up) and is dropped; one above
//! `last_seq + 1` means events were lost on the way (a bus outage, a node that died after its
//! commit), so the missing range is read from PostgreSQL and sent first. `catch_up` does the same
//! without a triggering message, when the registry says events may have been missed.
//!
//! A live push reads nothing (issue 10): the event carries the customer's badge as the writer's
//! batch saw it (`CustomerView`), read marks go to the background reader, and `push_now` answers
//! without lending the core to a future. Only a gap, a catch-up or a count needs the database.
//!
//! The badge of a WS-M push is the customer's unread count *before* the pushed messages are
//! marked read (spec §6.6). The writer's snapshot may predate this socket's own marks that are
//! still on their way to the database; `PendingMarks` takes those off again.

use std::collections::VecDeque;

use super::core::{Core, Reply};
use crate::chat::event::Event;
use crate::chat::protocol::{self, SocketFamily};
use crate::chat::render::{CustomerItem, DateStyle, PushFrame, RadarItem};
use crate::chat::Chat;
use crate::error::ApiError;
use crate::ids::RadarUserId;
use crate::store;
use crate::store::chat::PairInfo;
use crate::wire::{ChatMessage, CustomerView};

/// Most messages read from the database in one round of a gap fill or catch-up.
const FILL_PAGE: i64 = 500;

/// Read marks this socket asked for that the database may not have applied yet: `(seq, how many
/// unread messages the mark reads)`, oldest first.
#[derive(Debug, Default)]
pub(super) struct PendingMarks(VecDeque<(i64, i64)>);

/// Marks remembered at most; older ones are forgotten (a badge may then show too many, never a
/// message lost).
const PENDING_MARKS: usize = 64;

impl PendingMarks {
    /// The badge of a message whose snapshot is `view`: the snapshot minus what this socket's
    /// marks above the snapshot's watermark read (marks at or below it are applied: forgotten).
    pub(super) fn badge(&mut self, view: CustomerView) -> i64 {
        while self.0.front().is_some_and(|&(seq, _)| seq <= view.read_seq) {
            self.0.pop_front();
        }
        let in_flight: i64 = self.0.iter().map(|&(_, read)| read).sum();
        (view.badge - in_flight).max(0)
    }

    /// A mark up to `seq` that reads `read` unread messages.
    pub(super) fn add(&mut self, seq: i64, read: i64) {
        if self.0.len() == PENDING_MARKS {
            self.0.pop_front();
        }
        self.0.push_back((seq, read));
    }
}

impl Core {
    /// The reply to `event` when it needs no I/O (a live message in order, a read receipt);
    /// `None` when it does (a gap, a message without the customer's snapshot, counts).
    pub(super) fn push_now(&mut self, event: &Event) -> Option<Result<Reply, ApiError>> {
        match (self.family, event) {
            (SocketFamily::MiniProgram | SocketFamily::RadarChat, Event::Message(m)) => {
                if let Some(last) = self.last_seq {
                    if m.seq <= last {
                        return Some(Ok(Reply::none()));
                    }
                    if m.seq > last + 1 {
                        return None;
                    }
                }
                // The pair's names from the node's cache; read first (async) when not there.
                let pair = self.pair_cached()?;
                let frame = match self.family {
                    SocketFamily::MiniProgram => self.push_to_customer(m, m.customer_view?, &pair),
                    _ => Ok(push_to_radar(&self.chat, m, &pair)),
                };
                Some(frame.map(|text| {
                    self.last_seq = Some(m.seq);
                    Reply::text(text)
                }))
            }
            (SocketFamily::RadarChat, Event::ReadReceipt { .. }) => {
                Some(Ok(Reply::one(protocol::read_receipt())))
            }
            (SocketFamily::RadarBadge | SocketFamily::RadarContacts, _) => None,
            _ => Some(Ok(Reply::none())),
        }
    }

    pub(super) async fn push(&mut self, event: &Event) -> Result<Reply, ApiError> {
        if let Some(reply) = self.push_now(event) {
            return reply;
        }
        match (self.family, event) {
            (SocketFamily::MiniProgram | SocketFamily::RadarChat, Event::Message(m)) => {
                self.deliver_in_order(m).await
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
                RadarUserId(bound.principal),
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

    /// Sends `m` after whatever is missing before it; nothing if it was sent already. Reached
    /// only when `push_now` could not answer: a gap, or a message without the customer's
    /// snapshot (from the database, or from a node of an older version).
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
        match self.render_after_fill(m).await {
            Ok(frame) => reply.frames.push(frame),
            Err(e) => {
                // The filled frames are dropped with the reply: resend them on the catch-up.
                self.last_seq = before;
                return Err(e);
            }
        }
        self.last_seq = Some(m.seq);
        Ok(reply)
    }

    /// The frame of `m`, reading the customer's badge when the event does not carry it.
    async fn render_after_fill(&mut self, m: &ChatMessage) -> Result<String, ApiError> {
        let view = match (self.family, m.customer_view) {
            (SocketFamily::MiniProgram, None) => Some(self.customer_view_now().await?),
            (_, view) => view,
        };
        let pair = self.pair().await?;
        self.render_push(m, view, &pair)
    }

    /// The customer's badge and watermark as the database has them now (WS-M only).
    async fn customer_view_now(&self) -> Result<CustomerView, ApiError> {
        let (radar_user, customer) = self.pair_ids()?;
        let db = self.chat.db.get().await?;
        Ok(store::chat::customer_view(&db, radar_user, customer).await?)
    }

    /// Appends the pair's messages after `last_seq` and below `before` to `reply`, in order.
    /// Sends at most half the outbound bound per reply, so a client far behind is not closed
    /// for it: when more is missing, `reply.more` asks the session to go on once the client has
    /// read what was sent. True when everything below `before` was appended.
    pub(super) async fn fill(&mut self, before: i64, reply: &mut Reply) -> Result<bool, ApiError> {
        let (Ok(pair), Some(mut last)) = (self.pair_ids(), self.last_seq) else {
            return Ok(true);
        };
        let room = (self.chat.settings.chat.outbound_queue_frames / 2).max(1) as i64;
        let limit = FILL_PAGE.min(room);
        let db = self.chat.db.get().await?;
        let page = store::chat::between_seqs(&db, pair.0, pair.1, (last, before), limit).await?;
        let now = match self.family {
            SocketFamily::MiniProgram if !page.is_empty() => {
                Some(store::chat::customer_view(&db, pair.0, pair.1).await?)
            }
            _ => None,
        };
        drop(db);
        if page.is_empty() {
            // Nothing missing (a catch-up while the bus is down finds that every poll).
            return Ok(true);
        }
        let shown = self.pair().await?;
        let complete = (page.len() as i64) < limit;
        // The badge as of each message: today's count without the unread messages after it.
        let mut unread_after = page
            .iter()
            .filter(|m| m.send_type == 1 && m.unread_for_customer)
            .count() as i64;
        let mut frames = Vec::with_capacity(page.len());
        for m in &page {
            if m.send_type == 1 && m.unread_for_customer {
                unread_after -= 1;
            }
            let view = now.map(|v| CustomerView {
                badge: v.badge - unread_after,
                read_seq: v.read_seq,
            });
            frames.push(self.render_push(m, view, &shown)?);
            last = m.seq;
        }
        reply.frames.extend(frames);
        // Only now: on an error above, the reply is dropped and a later catch-up starts again
        // from the old `last_seq`.
        self.last_seq = Some(last);
        reply.more |= !complete;
        Ok(complete)
    }

    /// The push frame of `m`; `view` is the customer's snapshot (required on WS-M).
    fn render_push(
        &mut self,
        m: &ChatMessage,
        view: Option<CustomerView>,
        pair: &PairInfo,
    ) -> Result<String, ApiError> {
        match (self.family, view) {
            (SocketFamily::MiniProgram, Some(view)) => self.push_to_customer(m, view, pair),
            (SocketFamily::MiniProgram, None) => Err(ApiError::Unavailable),
            _ => Ok(push_to_radar(&self.chat, m, pair)),
        }
    }

    /// WS-M push: the badge before it, and the message marked read (in the background; the
    /// reader then sends the read receipt) when the customer is inside the chat.
    fn push_to_customer(
        &mut self,
        m: &ChatMessage,
        view: CustomerView,
        pair: &PairInfo,
    ) -> Result<String, ApiError> {
        let badge = self.marks.badge(view);
        if m.unread_for_customer && self.inside_chat {
            self.marks.add(m.seq, badge);
            self.chat.reader.customer(m.radar_user, m.customer, m.seq);
        }
        let item = CustomerItem::new(m, pair, false, DateStyle::Plain);
        Ok(PushFrame::new("实时推送小程序-最新聊天信息成功", item, Some(badge)).to_text())
    }
}

/// WS-R1 push: customer messages become read for the radar user (marked in the background; the
/// reader then announces the changed badge).
fn push_to_radar(chat: &Chat, m: &ChatMessage, pair: &PairInfo) -> String {
    let item = RadarItem::new(m, pair, DateStyle::Plain);
    if m.unread_for_radar {
        chat.reader.radar(m.radar_user, m.customer, m.seq);
    }
    PushFrame::new("实时推送雷达-最新聊天信息成功", item, None).to_text()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(badge: i64, read_seq: i64) -> CustomerView {
        CustomerView { badge, read_seq }
    }

    #[test]
    fn a_badge_leaves_out_what_marks_in_flight_read() {
        let mut marks = PendingMarks::default();
        // Three old unread messages and a new one (seq 10): 4, and the mark reads all 4.
        assert_eq!(marks.badge(view(4, 6)), 4);
        marks.add(10, 4);
        // Seq 11 committed before the mark landed: the snapshot still counts 5.
        assert_eq!(marks.badge(view(5, 6)), 1);
        marks.add(11, 1);
        assert_eq!(marks.badge(view(6, 6)), 1);
        // The first mark landed (watermark 10): it is forgotten, the second still counts.
        assert_eq!(marks.badge(view(2, 10)), 1);
        // Both landed.
        assert_eq!(marks.badge(view(1, 11)), 1);
        assert_eq!(marks.0.len(), 0);
    }

    #[test]
    fn a_badge_is_never_negative_and_marks_are_bounded() {
        let mut marks = PendingMarks::default();
        for seq in 1..=100 {
            marks.add(seq, 1);
        }
        assert_eq!(marks.0.len(), PENDING_MARKS);
        assert_eq!(marks.badge(view(3, 0)), 0);
    }
}
