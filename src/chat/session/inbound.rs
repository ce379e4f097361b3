//! What a session takes in before a frame is handled: fragmented text messages reassembled within
//! `chat.max_frame_bytes` (RFC 6455 §5.4), and the token bucket that limits frames per second.
//! The frames themselves are handled by the session (`on_text`) and its core.

use std::time::Instant;

use actix_web::web::BytesMut;
use actix_web_actors::ws;

use super::core::Reply;
use super::Session;
use crate::chat::protocol;

impl Session {
    /// Reassembles a fragmented text message (within `chat.max_frame_bytes`), then handles it
    /// like a single frame.
    pub(super) fn on_fragment(
        &mut self,
        item: actix_http::ws::Item,
        ctx: &mut ws::WebsocketContext<Self>,
    ) {
        let max = self.chat.settings.chat.max_frame_bytes;
        let (part, last) = match item {
            actix_http::ws::Item::FirstText(b) => {
                self.fragments = Some(BytesMut::new());
                (b, false)
            }
            actix_http::ws::Item::FirstBinary(_) => {
                return self.apply(Reply::close_with(protocol::broken("不支持二进制消息")), ctx)
            }
            actix_http::ws::Item::Continue(b) => (b, false),
            actix_http::ws::Item::Last(b) => (b, true),
        };
        let Some(buf) = self.fragments.as_mut() else {
            return self.close_with_code(1002, "消息格式错误", ctx);
        };
        if buf.len() + part.len() > max {
            self.fragments = None;
            return self.close_with_code(1009, "消息过大", ctx);
        }
        buf.extend_from_slice(&part);
        if !last {
            return;
        }
        let Some(whole) = self.fragments.take() else {
            return;
        };
        match std::str::from_utf8(&whole) {
            Ok(text) => self.on_text(text, ctx),
            Err(_) => self.close_with_code(1007, "消息不是有效的UTF-8文本", ctx),
        }
    }
}

/// Token bucket for inbound frames.
#[derive(Debug)]
pub(super) struct RateLimit {
    per_sec: f64,
    burst: f64,
    tokens: f64,
    at: Instant,
}

impl RateLimit {
    pub(super) fn new(per_sec: u32, burst: u32) -> RateLimit {
        let burst = f64::from(burst.max(1));
        RateLimit {
            per_sec: f64::from(per_sec),
            burst,
            tokens: burst,
            at: Instant::now(),
        }
    }

    /// Takes a token for one frame; false when the bucket is empty (the frame is over the limit).
    pub(super) fn take(&mut self) -> bool {
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
