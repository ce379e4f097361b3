//! What the registry is told (by sessions, long-polls, the bus and startup) and what it tells
//! sessions (`Push`). The handlers are in `mod.rs`, beside the bookkeeping they change.

use std::sync::Arc;

use actix::prelude::*;
use tokio::sync::oneshot;

use super::{ConnId, Interest};
use crate::chat::event::{Channel, Envelope, Event};
use crate::chat::session::outbound::Closer;

/// An event for one session (sent by the registry).
#[derive(Message, Debug, Clone)]
#[rtype(result = "()")]
pub enum Push {
    /// A bus event this session is interested in (shared: one allocation however many listen).
    Event(Arc<Event>),
    /// Events may have been missed (bus outage): re-read the conversation from PostgreSQL.
    Sync,
    /// The node is shutting down: close with 1012 after the work in hand.
    Shutdown,
    /// The account lost access (or its token changed): the token error frame, then close 1008.
    /// The registry has already dropped the listener.
    Revoked,
}

/// Adds a listener; answers once the node's subscription to `channel` is live: true, or false
/// at once when the principal already has `max_listeners` listeners on this node (refused).
/// Sent by a session on its first valid frame.
#[derive(Message)]
#[rtype(result = "bool")]
pub struct Bind {
    pub conn: ConnId,
    pub channel: Channel,
    pub interest: Interest,
    pub session: Recipient<Push>,
    /// Ends the connection with a close frame (a client that stopped reading, shutdown).
    pub closer: Option<Closer>,
    /// The fingerprint of the token the session verified (`revocation::fingerprint`).
    pub token: u64,
}

/// Adds a one-shot long-poll listener that fires on the next matching event. When the principal
/// already has `max_listeners` listeners on this node it is not added, and `wake` is dropped: the
/// long-poll answers at once, like a plain poll.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Wait {
    pub conn: ConnId,
    pub channel: Channel,
    pub interest: Interest,
    pub wake: oneshot::Sender<()>,
}

/// Removes a listener (every way a socket ends, and every finished long-poll).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Unbind {
    pub conn: ConnId,
}

/// An event from the bus (sent by the bus sink).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Deliver(pub Envelope);

/// The bus link was lost (false) or is back (true).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Link(pub bool);

/// Tells every session of this node to close (1012, reconnect elsewhere) after the frames it is
/// working on, and wakes every long-poll (graceful shutdown); answers how many sessions it told.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct CloseAll;

/// Counts for tests and metrics.
#[derive(Message)]
#[rtype(result = "Stats")]
pub struct GetStats;

/// How many listeners and channels the registry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, MessageResponse)]
pub struct Stats {
    pub listeners: usize,
    pub channels: usize,
}
