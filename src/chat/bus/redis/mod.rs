//! `RedisBus`: the bus between nodes, over Redis pub/sub.
//!
//! It owns two tokio tasks and no Redis state on the caller's path:
//! - the **publisher** drains a bounded queue of `(channel name, JSON)` and sends each batch as one
//!   pipeline of `PUBLISH` on a multiplexed connection;
//! - the **subscriber** owns a pub/sub connection: it applies `SUBSCRIBE`/`UNSUBSCRIBE` commands
//!   sent by `subscribe`/`unsubscribe`, hands received events to the sink, and after a reconnect
//!   re-subscribes every wanted channel.
//!
//! Both reconnect with exponential backoff (50 ms doubling to 2 s) and log the first failure of
//! an outage and the recovery. Delivery is at most once: events queued while Redis is unreachable,
//! or beyond the queue's capacity, are dropped and counted; PostgreSQL is the record. Losses are
//! never silent: the subscriber reports its link state to the `LinkWatch`, and a publisher that
//! dropped events announces `Event::Resync` to every node once it can publish again. What a
//! channel means, and who subscribes to it, is left to `event` and the registry.
//!
//! - `mod.rs`        — [`RedisBus`] and its [`Bus`] impl, the state shared with the tasks, backoff.
//! - `publisher.rs`  — the publishing task and the count of events dropped on a full queue.
//! - `subscriber.rs` — the subscribing task: commands, re-subscribing, delivery, resync.

mod publisher;
mod subscriber;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use ::redis::Client;
use anyhow::Context as _;
use tokio::sync::{mpsc, oneshot};

use super::{Bus, LinkWatch, Sink, Subscribed};
use crate::chat::event::{Channel, Event};
use publisher::{run_publisher, DropCounter};
use subscriber::{run_subscriber, Command};

/// Events waiting for the publisher; beyond this, `publish` drops (about 10-30 MB of JSON).
const PUBLISH_QUEUE: usize = 65_536;
/// Subscription commands waiting for the subscriber task; overflow triggers a full resync.
const COMMAND_QUEUE: usize = 65_536;
/// Longest a `subscribe` future waits for Redis before resolving anyway.
const SUBSCRIBE_WAIT: Duration = Duration::from_secs(2);
/// Bounds connecting and each Redis reply, so a hung Redis looks like a dropped one.
const REDIS_TIMEOUT: Duration = Duration::from_secs(3);
/// First and longest pause between reconnection attempts.
const BACKOFF_MIN: Duration = Duration::from_millis(50);
const BACKOFF_MAX: Duration = Duration::from_secs(2);

/// State shared by the handle and both tasks.
struct Shared {
    prefix: String,
    /// Channel names this node wants; `subscribe`/`unsubscribe` change it synchronously, and
    /// incoming events on other channels are dropped, so `unsubscribe` takes effect at once.
    wanted: Mutex<HashSet<String>>,
    sink: OnceLock<Sink>,
    link_watch: OnceLock<LinkWatch>,
    /// Set when a command could not be queued; the subscriber then reconciles with `wanted`.
    resync: AtomicBool,
    /// Whether the subscriber holds a live pub/sub connection (its stream ends as soon as Redis
    /// closes it, so this turns false within moments of Redis going away).
    connected: AtomicBool,
}

impl Shared {
    /// Records the subscriber's link state and tells the watcher when it changes.
    fn set_linked(&self, linked: bool) {
        let was = self.connected.swap(linked, Ordering::Relaxed);
        if was != linked || !linked {
            if let Some(watch) = self.link_watch.get() {
                watch(linked);
            }
        }
    }

    fn wanted(&self) -> MutexGuard<'_, HashSet<String>> {
        // A poisoned lock only means a panic elsewhere while holding it; the set is still valid.
        self.wanted.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The Redis pub/sub bus. Create it with [`RedisBus::connect`]; dropping it stops its tasks.
pub struct RedisBus {
    shared: Arc<Shared>,
    publish_tx: mpsc::Sender<(String, Vec<u8>)>,
    command_tx: mpsc::Sender<Command>,
    drops: DropCounter,
}

impl RedisBus {
    /// Parses `url`, starts the publisher and subscriber tasks on the current tokio runtime and
    /// returns at once: if Redis is down, the tasks keep retrying (logged). Every channel is
    /// named under `prefix`. Fails only on a bad URL or outside a tokio runtime.
    pub fn connect(url: &str, prefix: &str) -> anyhow::Result<Arc<RedisBus>> {
        let client = Client::open(url).context("parsing the Redis URL")?;
        let runtime = tokio::runtime::Handle::try_current()
            .context("RedisBus::connect needs a tokio runtime")?;
        let shared = Arc::new(Shared {
            prefix: prefix.to_owned(),
            // Every node hears `Event::Resync` for as long as it runs.
            wanted: Mutex::new(HashSet::from([Channel::Everyone.name(prefix)])),
            sink: OnceLock::new(),
            link_watch: OnceLock::new(),
            resync: AtomicBool::new(false),
            connected: AtomicBool::new(false),
        });
        let (publish_tx, publish_rx) = mpsc::channel(PUBLISH_QUEUE);
        let (command_tx, command_rx) = mpsc::channel(COMMAND_QUEUE);
        // The address only: the URL may hold a password.
        let addr = client.get_connection_info().addr.to_string();
        tracing::info!(%addr, prefix, "redis bus: starting (connects in the background)");
        let resync = (
            Channel::Everyone.name(prefix),
            serde_json::to_vec(&Event::Resync)?,
        );
        runtime.spawn(run_publisher(client.clone(), publish_rx, resync));
        runtime.spawn(run_subscriber(client, shared.clone(), command_rx));
        Ok(Arc::new(RedisBus {
            shared,
            publish_tx,
            command_tx,
            drops: DropCounter::default(),
        }))
    }
}

impl Bus for RedisBus {
    fn publish(&self, channel: Channel, event: Event) {
        let payload = match serde_json::to_vec(&event) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, ?channel, "redis bus: cannot serialize an event");
                return;
            }
        };
        let name = channel.name(&self.shared.prefix);
        if self.publish_tx.try_send((name, payload)).is_err() {
            self.drops.record();
        }
    }

    /// Resolves once Redis confirmed the `SUBSCRIBE`; while Redis is unreachable, once the
    /// subscription is live again after the reconnect; in any case after 2 s at most, so a
    /// session never hangs. The channel stays wanted either way and is (re-)subscribed as soon as
    /// Redis is reachable.
    fn subscribe(&self, channel: Channel) -> Subscribed {
        let name = channel.name(&self.shared.prefix);
        self.shared.wanted().insert(name.clone());
        let (ack, acked) = oneshot::channel();
        if self
            .command_tx
            .try_send(Command::Subscribe { name, ack })
            .is_err()
        {
            self.command_overflow();
        }
        Box::pin(async move {
            // Err (timeout, or the ack dropped): resolve anyway, see above.
            let _ = tokio::time::timeout(SUBSCRIBE_WAIT, acked).await;
        })
    }

    fn unsubscribe(&self, channel: Channel) {
        let name = channel.name(&self.shared.prefix);
        if !self.shared.wanted().remove(&name) {
            return;
        }
        if self
            .command_tx
            .try_send(Command::Unsubscribe { name })
            .is_err()
        {
            self.command_overflow();
        }
    }

    fn set_sink(&self, sink: Sink) {
        if self.shared.sink.set(sink).is_err() {
            tracing::error!("redis bus: sink set twice; keeping the first");
        }
    }

    fn set_link_watch(&self, watch: LinkWatch) {
        if self.shared.link_watch.set(watch).is_err() {
            tracing::error!("redis bus: link watch set twice; keeping the first");
        }
    }

    fn connected(&self) -> bool {
        self.shared.connected.load(Ordering::Relaxed)
    }
}

impl RedisBus {
    fn command_overflow(&self) {
        // The wanted set already holds the change; the subscriber reconciles within a second.
        if !self.shared.resync.swap(true, Ordering::Relaxed) {
            tracing::warn!("redis bus: subscription command queue full; resyncing");
        }
    }
}

/// Exponential backoff between reconnection attempts, and the outage's log lines.
struct Backoff {
    what: &'static str,
    next: Duration,
    failures: u32,
}

impl Backoff {
    fn new(what: &'static str) -> Self {
        Backoff {
            what,
            next: BACKOFF_MIN,
            failures: 0,
        }
    }

    /// Logs a failure (the first of an outage as a warning) and returns how long to wait.
    fn failed(&mut self, error: &dyn std::fmt::Display) -> Duration {
        if self.failures == 0 {
            tracing::warn!(error = %error, "redis bus: {} connection failed; retrying", self.what);
        } else {
            tracing::debug!(error = %error, attempt = self.failures, "redis bus: {} retry failed", self.what);
        }
        self.failures += 1;
        let wait = self.next;
        self.next = (self.next * 2).min(BACKOFF_MAX);
        wait
    }

    fn connected(&mut self) {
        tracing::info!(
            failed_attempts = self.failures,
            "redis bus: {} connected",
            self.what
        );
        *self = Backoff::new(self.what);
    }
}
