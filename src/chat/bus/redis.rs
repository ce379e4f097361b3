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
//! or beyond the queue's capacity, are dropped and counted; PostgreSQL is the record. What a
//! channel means, and who subscribes to it, is left to `event` and the registry.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use ::redis::aio::{MultiplexedConnection, PubSubSink, PubSubStream};
use ::redis::{AsyncConnectionConfig, Client, Msg, RedisResult};
use anyhow::Context as _;
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::FutureExt;
use tokio::sync::{mpsc, oneshot};

use super::{Bus, Sink, Subscribed};
use crate::chat::event::{Channel, Envelope, Event};

/// Events waiting for the publisher; beyond this, `publish` drops (about 10-30 MB of JSON).
const PUBLISH_QUEUE: usize = 65_536;
/// Most `PUBLISH` commands sent as one pipeline.
const PUBLISH_BATCH: usize = 1_024;
/// Subscription commands waiting for the subscriber task; overflow triggers a full resync.
const COMMAND_QUEUE: usize = 65_536;
/// Most `SUBSCRIBE` commands in flight while re-subscribing after a reconnect.
const RESUBSCRIBE_BATCH: usize = 1_000;
/// Longest a `subscribe` future waits for Redis before resolving anyway.
const SUBSCRIBE_WAIT: Duration = Duration::from_secs(2);
/// Bounds connecting and each Redis reply, so a hung Redis looks like a dropped one.
const REDIS_TIMEOUT: Duration = Duration::from_secs(3);
/// First and longest pause between reconnection attempts.
const BACKOFF_MIN: Duration = Duration::from_millis(50);
const BACKOFF_MAX: Duration = Duration::from_secs(2);

/// A command for the subscriber task. The wanted set is the truth; commands only say "look".
enum Command {
    /// Subscribe `name` if still wanted; `ack` fires once Redis confirmed it.
    Subscribe {
        name: String,
        ack: oneshot::Sender<()>,
    },
    /// Unsubscribe `name` unless wanted again by now.
    Unsubscribe { name: String },
}

/// State shared by the handle and both tasks.
struct Shared {
    prefix: String,
    /// Channel names this node wants; `subscribe`/`unsubscribe` change it synchronously, and
    /// incoming events on other channels are dropped, so `unsubscribe` takes effect at once.
    wanted: Mutex<HashSet<String>>,
    sink: OnceLock<Sink>,
    /// Set when a command could not be queued; the subscriber then reconciles with `wanted`.
    resync: AtomicBool,
}

impl Shared {
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
            wanted: Mutex::new(HashSet::new()),
            sink: OnceLock::new(),
            resync: AtomicBool::new(false),
        });
        let (publish_tx, publish_rx) = mpsc::channel(PUBLISH_QUEUE);
        let (command_tx, command_rx) = mpsc::channel(COMMAND_QUEUE);
        // The address only: the URL may hold a password.
        let addr = client.get_connection_info().addr.to_string();
        tracing::info!(%addr, prefix, "redis bus: starting (connects in the background)");
        runtime.spawn(run_publisher(client.clone(), publish_rx));
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
}

impl RedisBus {
    fn command_overflow(&self) {
        // The wanted set already holds the change; the subscriber reconciles within a second.
        if !self.shared.resync.swap(true, Ordering::Relaxed) {
            tracing::warn!("redis bus: subscription command queue full; resyncing");
        }
    }
}

/// Counts events dropped because the publish queue was full; warns at most once a second.
#[derive(Default)]
struct DropCounter {
    dropped: AtomicU64,
    last_warn_ms: AtomicU64,
    epoch: OnceLock<Instant>,
}

impl DropCounter {
    fn record(&self) {
        let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
        // Milliseconds since the first drop, plus 1 s so that the first drop warns at once.
        let now = self.epoch.get_or_init(Instant::now).elapsed().as_millis() as u64 + 1_000;
        let last = self.last_warn_ms.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= 1_000
            && self
                .last_warn_ms
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(dropped, "redis bus: publish queue full; dropping events");
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

async fn run_publisher(client: Client, mut queue: mpsc::Receiver<(String, Vec<u8>)>) {
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(REDIS_TIMEOUT)
        .set_response_timeout(REDIS_TIMEOUT);
    let mut backoff = Backoff::new("publisher");
    let mut batch = Vec::with_capacity(PUBLISH_BATCH);
    loop {
        let mut conn = match client
            .get_multiplexed_async_connection_with_config(&config)
            .await
        {
            Ok(conn) => {
                backoff.connected();
                conn
            }
            Err(e) => {
                let wait = backoff.failed(&e);
                // Nobody could receive these now (subscribers lose their connections too), and
                // replaying them late would only confuse clients: drop them.
                if !drain_for(&mut queue, wait).await {
                    return;
                }
                continue;
            }
        };
        loop {
            if queue.recv_many(&mut batch, PUBLISH_BATCH).await == 0 {
                return; // The bus was dropped.
            }
            if let Err(e) = publish_batch(&mut conn, &batch).await {
                tracing::warn!(error = %e, lost = batch.len(), "redis bus: publish failed");
                batch.clear();
                break;
            }
            batch.clear();
        }
    }
}

async fn publish_batch(
    conn: &mut MultiplexedConnection,
    batch: &[(String, Vec<u8>)],
) -> RedisResult<()> {
    let mut pipe = ::redis::pipe();
    for (name, payload) in batch {
        pipe.cmd("PUBLISH").arg(name).arg(payload).ignore();
    }
    pipe.query_async::<()>(conn).await
}

/// Drops whatever is queued for `wait`; false once the queue is closed.
async fn drain_for(queue: &mut mpsc::Receiver<(String, Vec<u8>)>, wait: Duration) -> bool {
    let deadline = tokio::time::sleep(wait);
    tokio::pin!(deadline);
    let mut dropped = 0usize;
    let open = loop {
        tokio::select! {
            _ = &mut deadline => break true,
            item = queue.recv() => match item {
                Some(_) => dropped += 1,
                None => break false,
            },
        }
    };
    if dropped > 0 {
        tracing::debug!(
            dropped,
            "redis bus: dropped events published while Redis is unreachable"
        );
    }
    open
}

/// Acks of `subscribe` calls waiting for the next (re)connection.
type Parked = Vec<oneshot::Sender<()>>;

async fn run_subscriber(
    client: Client,
    shared: Arc<Shared>,
    mut commands: mpsc::Receiver<Command>,
) {
    let mut backoff = Backoff::new("subscriber");
    let mut parked: Parked = Vec::new();
    loop {
        let connecting = tokio::time::timeout(REDIS_TIMEOUT, client.get_async_pubsub());
        let Some(result) = park_while(connecting, &mut commands, &mut parked).await else {
            return;
        };
        let error = match result.map_err(|_| "connect timed out".to_owned()) {
            Ok(Ok(pubsub)) => {
                backoff.connected();
                let (sink, stream) = pubsub.split();
                match serve(&shared, sink, stream, &mut commands, &mut parked).await {
                    Ended::Closed => return,
                    Ended::Lost(why) => why,
                }
            }
            Ok(Err(e)) => e.to_string(),
            Err(e) => e,
        };
        let wait = backoff.failed(&error);
        if park_while(tokio::time::sleep(wait), &mut commands, &mut parked)
            .await
            .is_none()
        {
            return;
        }
    }
}

/// Runs `fut` while accepting commands: while there is no connection, subscribes are parked
/// (the wanted set already holds them) and unsubscribes need nothing. None once the bus is gone.
async fn park_while<F: std::future::Future>(
    fut: F,
    commands: &mut mpsc::Receiver<Command>,
    parked: &mut Parked,
) -> Option<F::Output> {
    tokio::pin!(fut);
    loop {
        tokio::select! {
            out = &mut fut => return Some(out),
            cmd = commands.recv() => match cmd? {
                Command::Subscribe { ack, .. } => parked.push(ack),
                Command::Unsubscribe { .. } => {}
            },
        }
    }
}

enum Ended {
    /// The bus was dropped.
    Closed,
    /// The connection failed; reconnect.
    Lost(String),
}

/// A `SUBSCRIBE`/`UNSUBSCRIBE` reply and the ack waiting for it.
type Pending =
    futures_util::future::BoxFuture<'static, (RedisResult<()>, Option<oneshot::Sender<()>>)>;

/// Serves one pub/sub connection until it fails or the bus is dropped.
async fn serve(
    shared: &Shared,
    sink: PubSubSink,
    mut stream: PubSubStream,
    commands: &mut mpsc::Receiver<Command>,
    parked: &mut Parked,
) -> Ended {
    // Re-subscribe everything wanted, then release the subscribes that waited for it.
    let mut live: HashSet<String> = shared.wanted().clone();
    let names: Vec<&String> = live.iter().collect();
    for chunk in names.chunks(RESUBSCRIBE_BATCH) {
        // join_all polls in order, so the commands are written in one pipelined burst.
        let batch = futures_util::future::join_all(chunk.iter().map(|name| {
            let mut sink = sink.clone();
            let name = (*name).clone();
            async move { sink.subscribe(name).await }
        }));
        match tokio::time::timeout(REDIS_TIMEOUT, batch).await {
            Ok(replies) => {
                if let Some(Err(e)) = replies.into_iter().find(|r| r.is_err()) {
                    return Ended::Lost(format!("re-subscribing: {e}"));
                }
            }
            Err(_) => return Ended::Lost("re-subscribing timed out".to_owned()),
        }
    }
    if !live.is_empty() {
        tracing::info!(
            channels = live.len(),
            "redis bus: re-subscribed {} channels",
            live.len()
        );
    }
    for ack in parked.drain(..) {
        let _ = ack.send(());
    }

    let mut pending: FuturesUnordered<Pending> = FuturesUnordered::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let ended = loop {
        tokio::select! {
            msg = stream.next() => match msg {
                Some(msg) => deliver(shared, &msg),
                None => break Ended::Lost("pub/sub connection closed".to_owned()),
            },
            cmd = commands.recv() => match cmd {
                Some(cmd) => apply(shared, &sink, cmd, &mut live, &mut pending),
                None => break Ended::Closed,
            },
            Some((result, ack)) = pending.next(), if !pending.is_empty() => match result {
                Ok(()) => { if let Some(ack) = ack { let _ = ack.send(()); } }
                // The connection is failing: the stream ends next; the ack waits for the resubscribe.
                Err(e) => {
                    tracing::debug!(error = %e, "redis bus: subscription command failed");
                    parked.extend(ack);
                }
            },
            _ = tick.tick() => {
                if shared.resync.swap(false, Ordering::Relaxed) {
                    resync(shared, &sink, &mut live, &mut pending);
                }
            }
        }
    };
    // Commands in flight fail promptly once the connection is gone; keep their acks for later.
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        while let Some((_, ack)) = pending.next().await {
            parked.extend(ack);
        }
    })
    .await;
    ended
}

/// Hands one received message to the sink, if its channel is still wanted.
fn deliver(shared: &Shared, msg: &Msg) {
    let name = msg.get_channel_name();
    if !shared.wanted().contains(name) {
        return; // Unsubscribed meanwhile; Redis's confirmation may still be on its way.
    }
    let Some(channel) = Channel::parse(name, &shared.prefix) else {
        tracing::warn!(
            channel = name,
            "redis bus: message on an unknown channel; skipped"
        );
        return;
    };
    let event = match serde_json::from_slice::<Event>(msg.get_payload_bytes()) {
        Ok(event) => event,
        Err(e) => {
            tracing::warn!(channel = name, error = %e, "redis bus: bad event payload; skipped");
            return;
        }
    };
    if let Some(sink) = shared.sink.get() {
        sink(Envelope { channel, event });
    }
}

/// Sends the command's `SUBSCRIBE`/`UNSUBSCRIBE` if the wanted set still calls for it.
fn apply(
    shared: &Shared,
    sink: &PubSubSink,
    cmd: Command,
    live: &mut HashSet<String>,
    pending: &mut FuturesUnordered<Pending>,
) {
    match cmd {
        Command::Subscribe { name, ack } => {
            if !shared.wanted().contains(&name) {
                return; // Unsubscribed before we got here; dropping `ack` resolves the caller.
            }
            live.insert(name.clone());
            send(sink, true, name, Some(ack), pending);
        }
        Command::Unsubscribe { name } => {
            if shared.wanted().contains(&name) {
                return; // Subscribed again meanwhile.
            }
            live.remove(&name);
            send(sink, false, name, None, pending);
        }
    }
}

/// Makes Redis's subscriptions match the wanted set, after commands were lost to a full queue.
fn resync(
    shared: &Shared,
    sink: &PubSubSink,
    live: &mut HashSet<String>,
    pending: &mut FuturesUnordered<Pending>,
) {
    let wanted = shared.wanted().clone();
    let extra: Vec<String> = live.difference(&wanted).cloned().collect();
    let missing: Vec<String> = wanted.difference(live).cloned().collect();
    tracing::info!(
        subscribe = missing.len(),
        unsubscribe = extra.len(),
        "redis bus: resyncing"
    );
    for name in extra {
        live.remove(&name);
        send(sink, false, name, None, pending);
    }
    for name in missing {
        live.insert(name.clone());
        send(sink, true, name, None, pending);
    }
}

/// Queues one command on the connection and tracks its reply in `pending`.
fn send(
    sink: &PubSubSink,
    subscribe: bool,
    name: String,
    ack: Option<oneshot::Sender<()>>,
    pending: &mut FuturesUnordered<Pending>,
) {
    let mut sink = sink.clone();
    let mut reply = async move {
        let result = if subscribe {
            sink.subscribe(name).await
        } else {
            sink.unsubscribe(name).await
        };
        (result, ack)
    }
    .boxed();
    // Poll once now: redis 0.27 writes the command on the first poll, so commands reach Redis in
    // the order they were applied (FuturesUnordered alone would not keep that order). The no-op
    // waker is fine: `pending` polls the future again with its own waker.
    let mut cx = Context::from_waker(futures_util::task::noop_waker_ref());
    if let Poll::Ready(done) = reply.poll_unpin(&mut cx) {
        reply = futures_util::future::ready(done).boxed();
    }
    pending.push(reply);
}
