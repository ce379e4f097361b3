//! The publishing task of [`RedisBus`](super::RedisBus): drains the queue in pipelines of `PUBLISH`,
//! reconnecting with backoff; events queued while Redis is unreachable are dropped.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use ::redis::aio::MultiplexedConnection;
use ::redis::{AsyncConnectionConfig, Client, RedisResult};
use tokio::sync::mpsc;

use super::{Backoff, REDIS_TIMEOUT};

/// Most `PUBLISH` commands sent as one pipeline.
const PUBLISH_BATCH: usize = 1_024;

/// Counts events dropped because the publish queue was full; warns at most once a second.
#[derive(Default)]
pub(super) struct DropCounter {
    dropped: AtomicU64,
    last_warn_ms: AtomicU64,
    epoch: OnceLock<Instant>,
}

impl DropCounter {
    pub(super) fn record(&self) {
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

/// Publishes what is queued. `resync` is the (channel, payload) of `Event::Resync` for every node,
/// sent first after a reconnect whenever events were lost, so the other nodes catch up.
pub(super) async fn run_publisher(
    client: Client,
    mut queue: mpsc::Receiver<(String, Vec<u8>)>,
    resync: (String, Vec<u8>),
) {
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(REDIS_TIMEOUT)
        .set_response_timeout(REDIS_TIMEOUT);
    let mut backoff = Backoff::new("publisher");
    let mut batch = Vec::with_capacity(PUBLISH_BATCH);
    let mut lost = false;
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
                lost = true;
                if !drain_for(&mut queue, wait).await {
                    return;
                }
                continue;
            }
        };
        if lost {
            if let Err(e) = publish_batch(&mut conn, std::slice::from_ref(&resync)).await {
                tracing::warn!(error = %e, "redis bus: resync announcement failed");
                continue;
            }
            tracing::info!("redis bus: announced a resync for the events lost in the outage");
        }
        loop {
            if queue.recv_many(&mut batch, PUBLISH_BATCH).await == 0 {
                return; // The bus was dropped.
            }
            if let Err(e) = publish_batch(&mut conn, &batch).await {
                tracing::warn!(error = %e, lost = batch.len(), "redis bus: publish failed");
                batch.clear();
                lost = true;
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
