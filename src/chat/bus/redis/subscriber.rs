//! The subscribing task of [`RedisBus`](super::RedisBus): owns the pub/sub connection, applies
//! `SUBSCRIBE`/`UNSUBSCRIBE` commands, hands received events to the sink, and re-subscribes every
//! wanted channel after a reconnect.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use ::redis::aio::{PubSubSink, PubSubStream};
use ::redis::{Client, Msg, RedisResult};
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::FutureExt;
use tokio::sync::{mpsc, oneshot};

use super::{Backoff, Shared, REDIS_TIMEOUT};
use crate::chat::event::{Channel, Envelope, Event};

/// Most `SUBSCRIBE` commands in flight while re-subscribing after a reconnect.
const RESUBSCRIBE_BATCH: usize = 1_000;

/// A command for the subscriber task. The wanted set is the truth; commands only say "look".
pub(super) enum Command {
    /// Subscribe `name` if still wanted; `ack` fires once Redis confirmed it.
    Subscribe {
        name: String,
        ack: oneshot::Sender<()>,
    },
    /// Unsubscribe `name` unless wanted again by now.
    Unsubscribe { name: String },
}

/// Acks of `subscribe` calls waiting for the next (re)connection.
type Parked = Vec<oneshot::Sender<()>>;

pub(super) async fn run_subscriber(
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
                let ended = serve(&shared, sink, stream, &mut commands, &mut parked).await;
                shared.set_linked(false);
                match ended {
                    Ended::Closed => return,
                    Ended::Lost(why) => why,
                }
            }
            Ok(Err(e)) => e.to_string(),
            Err(e) => e,
        };
        shared.set_linked(false);
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
    if let Err(why) = resubscribe(&sink, &live).await {
        return Ended::Lost(why);
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
    // Live again: whatever was published meanwhile is recovered from PostgreSQL by the watcher.
    shared.set_linked(true);

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

/// Subscribes every channel in `live`, in pipelined bursts; Err says why the connection is lost.
async fn resubscribe(sink: &PubSubSink, live: &HashSet<String>) -> Result<(), String> {
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
                    return Err(format!("re-subscribing: {e}"));
                }
            }
            Err(_) => return Err("re-subscribing timed out".to_owned()),
        }
    }
    Ok(())
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
