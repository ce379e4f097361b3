//! `Bus`: carries chat events to every node that has sessions for the addressed principal.
//!
//! At most once: PostgreSQL is the record. What a lost event would have carried is recovered
//! from it: sessions fill gaps in a conversation's `seq` when the next event arrives, and the
//! registry catches every session up when the bus reports a lost link (`LinkWatch`) or a node
//! announces that its publishes were lost (`Event::Resync` on `Channel::Everyone`). Two
//! implementations: `local::LocalBus` (one process, the embedded default and tests) and
//! `redis::RedisBus` (several nodes). A node subscribes only to the channels of principals with
//! sessions on it: the registry calls `subscribe` on a principal's first local session and
//! `unsubscribe` on its last, so there is no firehose.

pub mod local;
pub mod redis;

use std::future::Future;
use std::pin::Pin;

use crate::chat::event::{Channel, Envelope, Event};

/// Where a bus hands the events it receives (the registry).
pub type Sink = Box<dyn Fn(Envelope) + Send + Sync + 'static>;

/// Told `false` when the node's link to the other nodes is lost (events may be missed from now
/// on) and `true` once it is back; the registry then catches its sessions up from PostgreSQL.
pub type LinkWatch = Box<dyn Fn(bool) + Send + Sync + 'static>;

/// A future resolving once a subscription is live.
pub type Subscribed = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Carries events between nodes.
pub trait Bus: Send + Sync + 'static {
    /// Queues `event` for `channel`; never blocks, may drop under overload (logged).
    fn publish(&self, channel: Channel, event: Event);
    /// Starts receiving `channel`; resolves when events published from now on will arrive.
    fn subscribe(&self, channel: Channel) -> Subscribed;
    /// Stops receiving `channel`.
    fn unsubscribe(&self, channel: Channel);
    /// Sets where received events go; called once, by the registry, at start.
    fn set_sink(&self, sink: Sink);
    /// Sets who hears of link losses and recoveries; the in-process bus never loses its link.
    fn set_link_watch(&self, _watch: LinkWatch) {}
    /// Whether the bus can carry events to other nodes now (`/readyz`); the in-process bus always can.
    fn connected(&self) -> bool {
        true
    }
}
