//! The bounded outbound queue of one socket.
//!
//! actix's websocket context buffers every frame the actor writes until the HTTP layer takes it.
//! `FlushCounter` sits on that response stream and counts the bytes the HTTP layer has taken; the
//! session counts the bytes it wrote (frame header included, so both sides count the same bytes).
//! The difference is what waits for a slow client. Past either bound the session closes, and the
//! stream aborts the connection instead of holding the backlog.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use actix_web::web::Bytes;
use futures_util::Stream;

/// Shared between the session (writer side) and the response stream (flush side).
#[derive(Debug, Default)]
pub struct FlushCounter {
    flushed: AtomicU64,
    abort: AtomicBool,
}

impl FlushCounter {
    /// Bytes the HTTP layer has taken so far.
    pub fn flushed(&self) -> u64 {
        self.flushed.load(Ordering::Relaxed)
    }

    /// Drops the connection at the next poll instead of flushing the backlog.
    pub fn abort(&self) {
        self.abort.store(true, Ordering::Relaxed);
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
        let flushed = self.counter.flushed();
        while self.ends.front().is_some_and(|end| *end <= flushed) {
            self.ends.pop_front();
        }
        self.written - flushed.min(self.written) <= self.max_bytes
            && self.ends.len() <= self.max_frames
    }

    /// Gives up on the connection (the response stream fails at its next poll).
    pub fn abort(&self) {
        self.counter.abort();
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
        if self.counter.abort.load(Ordering::Relaxed) {
            let e = std::io::Error::other("slow websocket client");
            return Poll::Ready(Some(Err(actix_web::error::ErrorServiceUnavailable(e))));
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
