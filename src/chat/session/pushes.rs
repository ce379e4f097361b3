//! What a session sends for an event pushed by the registry, as `impl Core`: the new message on
//! the chat sockets (marking it read where the spec says so), a read receipt, or fresh counts on
//! the badge/contact sockets.

use serde_json::json;

use super::core::{Core, Reply};
use crate::chat::event::{ChatMessage, Event};
use crate::chat::protocol::{self, frame_data, SocketFamily};
use crate::chat::render::{self, DateStyle};
use crate::chat::service;
use crate::error::ApiError;

impl Core {
    pub(super) async fn push(&mut self, event: Event) -> Result<Reply, ApiError> {
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
