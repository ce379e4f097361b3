//! The bounded outbound queue of one socket.
//!
//! actix's websocket context buffers every frame the actor writes until the HTTP layer takes it.
//! `FlushCounter` sits on that response stream and counts the bytes the HTTP layer has taken; the
//! session counts the bytes it wrote (frame header included, so both sides count the same bytes).
//! The difference is what waits for a slow client. Past either bound the session closes: the
//! stream then ends with a close frame in place of the backlog (`Closer`), and the TCP connection
//! is cut a few seconds later if the client does not even read that.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use actix_http::ws::{CloseCode, CloseReason, Parser};
use actix_web::web::{Bytes, BytesMut};
use futures_util::task::AtomicWaker;
use futures_util::Stream;

use super::socket::ConnSocket;

/// How long a client gets to read its close frame before the TCP connection is cut.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// Shared between the session (writer side) and the response stream (flush side).
#[derive(Debug, Default)]
pub struct FlushCounter {
    flushed: AtomicU64,
    abort: AtomicBool,
    /// The close frame to send in place of the backlog, once.
    close_frame: Mutex<Option<Bytes>>,
    /// The response stream's task, woken when the session is closed from outside.
    waker: AtomicWaker,
    /// The connection's socket, cut off by `Closer` (kept here once rather than in every
    /// `Closer`: the session, its core and the registry each hold one).
    socket: OnceLock<ConnSocket>,
}

impl FlushCounter {
    /// Bytes the HTTP layer has taken so far.
    pub fn flushed(&self) -> u64 {
        self.flushed.load(Ordering::Relaxed)
    }

    /// Ends the stream at its next poll with a close frame (`code`, `reason`) instead of the
    /// frames still queued.
    pub fn close_with(&self, code: u16, reason: &str) {
        let mut frame = BytesMut::new();
        let reason = CloseReason {
            code: CloseCode::from(code),
            description: Some(reason.to_owned()),
        };
        Parser::write_close(&mut frame, Some(reason), false);
        if let Ok(mut slot) = self.close_frame.lock() {
            slot.get_or_insert(frame.freeze());
        }
        self.abort.store(true, Ordering::Relaxed);
        self.waker.wake();
    }
}

/// Ends one connection from outside its session: a close frame replaces whatever is queued, and
/// the TCP connection is cut `CLOSE_GRACE` later in case the client reads nothing at all (its
/// session is then frozen and cannot end it).
#[derive(Debug, Clone)]
pub struct Closer {
    counter: Arc<FlushCounter>,
}

impl Closer {
    pub fn new(counter: Arc<FlushCounter>, socket: Option<ConnSocket>) -> Closer {
        if let Some(socket) = socket {
            // A counter belongs to one connection: its socket is set once.
            let _ = counter.socket.set(socket);
        }
        Closer { counter }
    }

    /// Closes with `code` (1008 slow consumer, 1012 restart…) and `reason`.
    pub fn close(&self, code: u16, reason: &str) {
        self.counter.close_with(code, reason);
        if let Some(&socket) = self.counter.socket.get() {
            actix_web::rt::spawn(async move {
                tokio::time::sleep(CLOSE_GRACE).await;
                socket.cut_off();
            });
        }
    }
}

/// What the session has written and not yet seen flushed.
#[derive(Debug)]
pub struct Outbound {
    counter: Arc<FlushCounter>,
    written: u64,
    /// End offset of every frame still queued, oldest first.
    ends: VecDeque<u64>,
    max_bytes: u64,
    max_frames: usize,
}

impl Outbound {
    pub fn new(counter: Arc<FlushCounter>, max_bytes: usize, max_frames: usize) -> Outbound {
        Outbound {
            counter,
            written: 0,
            ends: VecDeque::new(),
            max_bytes: max_bytes as u64,
            max_frames,
        }
    }

    /// Records a text frame of `payload_len` bytes; false when the queue is now over a bound.
    pub fn record(&mut self, payload_len: usize) -> bool {
        self.written += frame_len(payload_len);
        self.ends.push_back(self.written);
        let frames = self.pending_frames();
        let flushed = self.counter.flushed();
        self.written - flushed.min(self.written) <= self.max_bytes && frames <= self.max_frames
    }

    /// Frames written and not yet taken by the HTTP layer.
    pub fn pending_frames(&mut self) -> usize {
        let flushed = self.counter.flushed();
        while self.ends.front().is_some_and(|end| *end <= flushed) {
            self.ends.pop_front();
        }
        self.ends.len()
    }
}

/// Bytes of an unmasked server frame carrying `payload` bytes (RFC 6455 §5.2).
pub fn frame_len(payload: usize) -> u64 {
    let header = match payload {
        0..=125 => 2,
        126..=65535 => 4,
        _ => 10,
    };
    (header + payload) as u64
}

/// Wraps the websocket response stream, counting what the HTTP layer takes.
pub struct Counted<S> {
    inner: Pin<Box<S>>,
    counter: Arc<FlushCounter>,
}

impl<S> Counted<S> {
    pub fn new(inner: S, counter: Arc<FlushCounter>) -> Counted<S> {
        Counted {
            inner: Box::pin(inner),
            counter,
        }
    }
}

impl<S> Stream for Counted<S>
where
    S: Stream<Item = Result<Bytes, actix_web::Error>>,
{
    type Item = Result<Bytes, actix_web::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.counter.waker.register(cx.waker());
        if self.counter.abort.load(Ordering::Relaxed) {
            // The close frame once, then the end of the stream (and of the connection).
            let frame = self
                .counter
                .close_frame
                .lock()
                .ok()
                .and_then(|mut f| f.take());
            return Poll::Ready(frame.map(Ok));
        }
        let next = self.inner.as_mut().poll_next(cx);
        if let Poll::Ready(Some(Ok(bytes))) = &next {
            self.counter
                .flushed
                .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_lengths_include_the_header() {
        assert_eq!(frame_len(0), 2);
        assert_eq!(frame_len(125), 127);
        assert_eq!(frame_len(126), 130);
        assert_eq!(frame_len(70_000), 70_010);
    }

    #[test]
    fn the_queue_is_bounded_by_bytes_and_frames() {
        let counter = Arc::new(FlushCounter::default());
        let mut out = Outbound::new(counter.clone(), 1000, 3);
        assert!(out.record(100));
        assert!(out.record(100));
        assert!(out.record(100));
        assert!(
            !out.record(100),
            "a fourth unflushed frame is over the frame bound"
        );
        counter.flushed.store(frame_len(100) * 4, Ordering::Relaxed);
        assert!(out.record(10), "everything flushed: room again");
        assert!(!out.record(2000), "one frame over the byte bound");
    }
}
