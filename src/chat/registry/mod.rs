//! The registry: one actor per process mapping bus channels to this node's listeners (socket
//! sessions and long-polls), and delivering bus events to them. It never touches the database and
//! never waits on I/O: subscribing a channel is handed to the bus (whose own tasks talk to Redis),
//! and closing a slow consumer writes a close frame and cuts its connection off through the
//! session's `Closer`, without waiting for either.
//!
//! Subscriptions follow the listeners: the first listener of a channel subscribes the node to it on
//! the bus, the last one leaving unsubscribes. `Bind` answers only once the subscription is live,
//! so anything committed after a `register` ack reaches the socket. Pushes use `try_send`: a
//! session whose mailbox is full is closed with 1008 (see `session::outbound::Closer`).
//!
//! Nothing lost on the bus stays lost: while the bus link is down (`Link(false)`) every session is
//! told to `Sync` (re-read its conversation from PostgreSQL) every `catchup_poll`, once more when
//! the link is back, and whenever a node announces `Event::Resync`. `CloseAll` ends every socket
//! with a 1012 close frame (graceful shutdown).
//!
//! Each socket's listener keeps a fingerprint of the token its session verified, so the node's
//! revocation sweep (`chat::revocation`, which does the I/O) can list the principals bound here
//! (`Principals`) and close exactly the sockets whose token is stale (`Revoke`).
//!
//! Each principal holds at most `chat.max_listeners_per_principal` listeners on a node: every
//! event fans out to all of them.
//!
//! Here: the actor, its bookkeeping and its handlers. Beside it: `messages` (what it is told and
//! what it tells sessions), `interest` (what each listener hears: the delivery table of spec
//! §6.3) and `revoke` (its side of the revocation sweep).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use actix::prelude::*;
use futures_util::future::{FutureExt, Shared};
use tokio::sync::oneshot;

use crate::chat::bus::{Bus, Subscribed};
use crate::chat::event::{Channel, Envelope, Event};
use crate::chat::session::outbound::Closer;

mod interest;
mod messages;
mod revoke;

pub use interest::{wants, Interest};
pub use messages::{Bind, CloseAll, Deliver, GetStats, Link, Push, Stats, Unbind, Wait};
pub use revoke::{Principals, Revoke};

/// The reason of the 1008 close frame a client that stopped reading gets.
pub const SLOW_CONSUMER: &str = "outbound queue full: client not reading";

/// Identifies one listener; from a process-wide counter.
pub type ConnId = u64;

static NEXT_CONN: AtomicU64 = AtomicU64::new(1);

/// A fresh listener id.
pub fn next_conn_id() -> ConnId {
    NEXT_CONN.fetch_add(1, Ordering::Relaxed)
}

enum Target {
    Session(Recipient<Push>),
    Waiter(Option<oneshot::Sender<()>>),
}

struct Listener {
    conn: ConnId,
    interest: Interest,
    target: Target,
    closer: Option<Closer>,
    /// Sessions: the fingerprint of the token the session verified (`revocation::fingerprint`);
    /// 0 for long-polls, which the sweep leaves alone (each HTTP request is checked anew).
    token: u64,
}

/// A principal already holds `max_listeners` listeners on this node.
struct Full;

/// The per-process registry actor.
pub struct Registry {
    bus: Arc<dyn Bus>,
    /// Whether the bus link is up; while it is not, sessions re-read every `catchup_poll`.
    linked: bool,
    catchup_poll: std::time::Duration,
    /// Most listeners (sockets and long-polls) one principal may hold on this node
    /// (`chat.max_listeners_per_principal`): each event fans out to all of them, so one signed
    /// client opening thousands would make every message cost thousands of frames.
    max_listeners: usize,
    channels: HashMap<Channel, Vec<Listener>>,
    conns: HashMap<ConnId, Channel>,
    pending: HashMap<Channel, Shared<Subscribed>>,
}

impl Registry {
    /// Starts the registry and connects the bus's incoming events to it.
    pub fn start(
        bus: Arc<dyn Bus>,
        catchup_poll: std::time::Duration,
        max_listeners: usize,
    ) -> Addr<Registry> {
        let addr = Registry {
            bus: bus.clone(),
            linked: bus.connected(),
            catchup_poll,
            max_listeners,
            channels: HashMap::new(),
            conns: HashMap::new(),
            pending: HashMap::new(),
        }
        .start();
        let sink = addr.clone();
        bus.set_sink(Box::new(move |envelope| sink.do_send(Deliver(envelope))));
        let watch = addr.clone();
        bus.set_link_watch(Box::new(move |linked| watch.do_send(Link(linked))));
        addr
    }

    /// Tells every session to catch up from PostgreSQL, and wakes every long-poll.
    fn sync_all(&mut self) {
        // A full mailbox: the session is already behind and is closed by `Deliver`.
        self.tell_all(|session| session.try_send(Push::Sync).is_ok());
    }

    /// Wakes every long-poll and calls `tell` with every session; answers how many `tell`
    /// reported as told.
    fn tell_all(&mut self, tell: impl Fn(&Recipient<Push>) -> bool) -> usize {
        let mut told = 0;
        for listener in self.channels.values_mut().flatten() {
            match &mut listener.target {
                Target::Waiter(wake) => {
                    if let Some(tx) = wake.take() {
                        let _ = tx.send(());
                    }
                }
                Target::Session(session) => told += usize::from(tell(session)),
            }
        }
        told
    }

    /// Adds a listener (moving it if its connection was bound elsewhere); returns the
    /// subscription future if the channel is new on this node, or `Full` when the principal is at
    /// `max_listeners` (the connection is then bound nowhere).
    fn add(
        &mut self,
        channel: Channel,
        listener: Listener,
    ) -> Result<Option<Shared<Subscribed>>, Full> {
        if let Some(old) = self.conns.remove(&listener.conn) {
            self.remove_from(old, listener.conn);
        }
        let held = self.channels.get(&channel).map_or(0, Vec::len);
        if channel != Channel::Everyone && held >= self.max_listeners {
            // Debug only: each refusal is one request of a client that may be flooding.
            tracing::debug!(
                ?channel,
                held,
                "listener refused: too many for one principal"
            );
            return Err(Full);
        }
        self.conns.insert(listener.conn, channel);
        let list = self
            .channels
            .entry(channel)
            .or_insert_with(|| Vec::with_capacity(1));
        list.push(listener);
        if list.len() == 1 {
            let fut = self.bus.subscribe(channel).shared();
            self.pending.insert(channel, fut.clone());
            return Ok(Some(fut));
        }
        Ok(self.pending.get(&channel).cloned())
    }

    fn remove_from(&mut self, channel: Channel, conn: ConnId) {
        let Some(list) = self.channels.get_mut(&channel) else {
            return;
        };
        list.retain(|l| l.conn != conn);
        if list.is_empty() {
            self.channels.remove(&channel);
            self.pending.remove(&channel);
            self.bus.unsubscribe(channel);
        }
    }
}

impl Actor for Registry {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        if self.catchup_poll.is_zero() {
            return;
        }
        ctx.run_interval(self.catchup_poll, |act, _| {
            if !act.linked {
                act.sync_all();
            }
        });
    }
}

impl Handler<Link> for Registry {
    type Result = ();

    fn handle(&mut self, Link(linked): Link, _: &mut Context<Self>) {
        if linked != self.linked {
            tracing::info!(
                linked,
                "chat: bus link changed; catching sessions up from the database"
            );
        }
        self.linked = linked;
        // Lost: catch up now (and on every poll). Back: once more, for what the outage hid.
        self.sync_all();
    }
}

impl Handler<CloseAll> for Registry {
    type Result = usize;

    fn handle(&mut self, _: CloseAll, _: &mut Context<Self>) -> usize {
        // Past the mailbox bound on purpose: one message per session.
        self.tell_all(|session| {
            session.do_send(Push::Shutdown);
            true
        })
    }
}

impl Handler<Bind> for Registry {
    type Result = ResponseActFuture<Self, bool>;

    fn handle(&mut self, msg: Bind, _: &mut Context<Self>) -> Self::Result {
        let listener = Listener {
            conn: msg.conn,
            interest: msg.interest,
            target: Target::Session(msg.session),
            closer: msg.closer,
            token: msg.token,
        };
        let channel = msg.channel;
        let Ok(live) = self.add(msg.channel, listener) else {
            return Box::pin(actix::fut::ready(false));
        };
        Box::pin(
            async move {
                if let Some(fut) = live {
                    fut.await;
                }
            }
            .into_actor(self)
            .map(move |_, act, _| {
                if act
                    .pending
                    .get(&channel)
                    .is_some_and(|f| f.peek().is_some())
                {
                    act.pending.remove(&channel);
                }
                true
            }),
        )
    }
}

impl Handler<Wait> for Registry {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, msg: Wait, _: &mut Context<Self>) -> Self::Result {
        let listener = Listener {
            conn: msg.conn,
            interest: msg.interest,
            target: Target::Waiter(Some(msg.wake)),
            closer: None,
            token: 0,
        };
        // Refused (`Full`): the wake sender is dropped with the listener, so the long-poll
        // answers at once.
        let live = self.add(msg.channel, listener).ok().flatten();
        Box::pin(async move {
            if let Some(fut) = live {
                fut.await;
            }
        })
    }
}

impl Handler<Unbind> for Registry {
    type Result = ();

    fn handle(&mut self, msg: Unbind, _: &mut Context<Self>) {
        if let Some(channel) = self.conns.remove(&msg.conn) {
            self.remove_from(channel, msg.conn);
        }
    }
}

impl Handler<Deliver> for Registry {
    type Result = ();

    fn handle(&mut self, Deliver(envelope): Deliver, _: &mut Context<Self>) {
        if envelope.event == Event::Resync {
            tracing::info!("chat: a node lost events; catching sessions up from the database");
            return self.sync_all();
        }
        let Some(list) = self.channels.get_mut(&envelope.channel) else {
            return;
        };
        let mut closed = Vec::new();
        let event = Arc::new(envelope.event.clone());
        for listener in list.iter_mut().filter(|l| wants(l.interest, &envelope)) {
            match &mut listener.target {
                Target::Waiter(wake) => {
                    if let Some(tx) = wake.take() {
                        let _ = tx.send(());
                    }
                }
                Target::Session(session) => {
                    match session.try_send(Push::Event(event.clone())) {
                        Ok(()) => {}
                        Err(SendError::Full(_)) => {
                            // A full mailbox means the client stopped reading and the session
                            // froze (its context is only polled while the client reads): end
                            // the connection with a 1008 close frame instead of the backlog,
                            // and deliver nothing more to it.
                            tracing::info!(conn = listener.conn, "websocket mailbox full");
                            if let Some(closer) = &listener.closer {
                                closer.close(1008, SLOW_CONSUMER);
                            }
                            closed.push(listener.conn);
                        }
                        Err(SendError::Closed(_)) => closed.push(listener.conn),
                    }
                }
            }
        }
        for conn in closed {
            self.conns.remove(&conn);
            self.remove_from(envelope.channel, conn);
        }
    }
}

impl Handler<GetStats> for Registry {
    type Result = Stats;

    fn handle(&mut self, _: GetStats, _: &mut Context<Self>) -> Stats {
        Stats {
            listeners: self.conns.len(),
            channels: self.channels.len(),
        }
    }
}
