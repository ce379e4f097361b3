//! Group commit of chat messages: concurrent sends are written in batches — one call of
//! `chat_insert_rows` or `chat_insert_batch` (sql/migrations/V18, V15) and one commit for many
//! rows — by a single writer task, so throughput is not capped by one round trip per message. A
//! sender is answered only after its row is committed, with the committed message (`Committed`:
//! the `wire::ChatMessage` the bus carries, its id and per-conversation `seq` included).
//!
//! The writer also publishes every committed message on the bus, in batch order (so in `seq`
//! order per conversation), right after the commit: pushes leave without waiting for the sender's
//! task to wake up. A resend that returns an already stored row is published again (receivers
//! drop what they have by `seq`), which heals a publish lost with a node that died after commit.
//!
//! Failures, and why each answer is safe:
//! - The batch's ids are reserved before the first attempt and are its idempotency key: after an
//!   ambiguous failure (the connection died around COMMIT) the same call is made again and stores
//!   nothing twice; rows already stored come back as they are.
//! - While the database is unreachable the batch is retried for `store_timeout`; then its senders
//!   get `WriteError::Unavailable` (the client may resend with its `client_msg_id`).
//! - A batch the database refuses (bad data) is split: each row is tried alone, so one bad row
//!   fails alone and never keeps the others out.
//! - Admission: when the queue holds more than the writer can commit within `admission_delay`
//!   (judged from what recent batches cost per row, not a fixed rate) a new send is refused at
//!   once with `WriteError::Busy` and never stored. So is a send while the node's event loops run
//!   late (`crate::loop_lag`): then sends wait before they ever reach the queue.
//!
//! Here: the handle (`Writer`: shards, `enqueue`, `close`) and each shard's task (`run`, `Task`:
//! gather a batch, write it, publish it, answer it). Beside it: `admission` (the `Backlog`
//! estimate), `stash` (ids reserved ahead), `statement` (the batch's SQL and its retries).

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use deadpool_postgres::Pool;
use tokio::sync::{mpsc, oneshot, Mutex};

use crate::batch::{next_batch, BatchConfig};
use crate::chat::bus::Bus;
use crate::chat::event::{Channel, Event};
use crate::ids::{CustomerId, RadarUserId};
use crate::loop_lag::LoopLag;
use crate::store::message::NewMessage;
use crate::store::Dedicated;
use crate::telemetry::metrics::names;
use crate::wire::ChatMessage;

mod admission;
mod stash;
mod statement;

use admission::Backlog;
use stash::IdStash;
use statement::{insert_batch, reserve_ids, with_db_retries, Attempt};

/// Queued sends the channel can hold; admission refuses long before this in practice.
const QUEUE: usize = 65_536;

/// Why a send was not stored.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WriteError {
    /// The writer is behind: nothing was stored, try again shortly.
    #[error("writer busy")]
    Busy,
    /// The database could not be reached within the store timeout.
    #[error("database unavailable")]
    Unavailable,
    /// The database refused this row (the cause is shared by every sender of a refused batch).
    #[error("row refused: {0:#}")]
    Refused(Arc<anyhow::Error>),
    /// The node is shutting down.
    #[error("writer stopped")]
    Stopped,
}

/// A committed send: the message as stored (a resend gets the first one back), and whether this
/// send stored it (false when its `client_msg_id` was already stored).
#[derive(Debug, Clone)]
pub struct Committed {
    pub message: ChatMessage,
    pub inserted: bool,
}

struct Job {
    message: NewMessage,
    reply: oneshot::Sender<Result<Committed, WriteError>>,
}

/// How the writer retries and admits.
#[derive(Debug, Clone, Copy)]
pub struct WriterConfig {
    pub batch: BatchConfig,
    /// Longest a batch is retried while the database is unreachable.
    pub store_timeout: Duration,
    /// Longest a new send may expect to wait in the queue before it is refused (0 = never refuse).
    pub admission_delay: Duration,
    /// Independent writers (each its own queue, connection and batches); a conversation always
    /// goes to the same one, so its messages keep their order. At least 1.
    pub shards: usize,
}

/// Handle to the writer tasks.
#[derive(Clone)]
pub struct Writer {
    shards: Arc<[Shard]>,
    admission_delay: Duration,
    max_rows: usize,
    /// The node's event-loop lag, when admission also watches it.
    lag: Option<Arc<LoopLag>>,
}

/// One writer task's queue and gauges.
struct Shard {
    tx: mpsc::Sender<Job>,
    meter: Arc<Meter>,
}

/// What the writer measures: batches that had to be split, queue length, recent commit time.
#[derive(Default)]
struct Meter {
    splits: AtomicU64,
    queued: AtomicUsize,
    /// A batch is being written.
    busy: AtomicBool,
    /// Shutting down: new sends are refused.
    closing: AtomicBool,
    /// What recent batches cost per row.
    backlog: Backlog,
}

impl Writer {
    /// Starts the writer tasks on the current runtime; committed messages go out on `bus`.
    ///
    /// Several shards let PostgreSQL commit batches of different conversations side by side (one
    /// backend is one core at most, and a batch waiting for its WAL flush no longer holds up the
    /// next one); their rows never share a conversation or binding row, so they never wait on each
    /// other's locks. Each shard commits its own (smaller) batches, so shards only pay where
    /// PostgreSQL has idle cores (`chat.writers` in config.toml has the measurement).
    pub fn start(pool: Pool, config: WriterConfig, bus: Arc<dyn Bus>) -> Writer {
        let shards = (0..config.shards.max(1))
            .map(|_| {
                let (tx, rx) = mpsc::channel(QUEUE);
                let meter = Arc::new(Meter::default());
                tokio::spawn(run(pool.clone(), config, rx, meter.clone(), bus.clone()));
                Shard { tx, meter }
            })
            .collect();
        Writer {
            shards,
            admission_delay: config.admission_delay,
            max_rows: config.batch.max_rows,
            lag: None,
        }
    }

    /// Also refuses new sends while `lag` counts the node as overloaded.
    pub fn refusing_when_late(mut self, lag: Arc<LoopLag>) -> Writer {
        self.lag = Some(lag);
        self
    }

    /// The shard that stores the conversation of `radar_user` and `customer`.
    pub fn shard_of(&self, radar_user: RadarUserId, customer: CustomerId) -> usize {
        // Fibonacci hashing of the pair: neighbouring ids spread over the shards.
        let key = (radar_user.0 as u64).rotate_left(32) ^ customer.0 as u64;
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize % self.shards.len()
    }

    /// How many batches were refused as a whole and split into single rows since start.
    pub fn fallbacks(&self) -> u64 {
        self.meters()
            .map(|m| m.splits.load(Ordering::Relaxed))
            .sum()
    }

    /// Sends waiting for a writer now.
    pub fn queued(&self) -> usize {
        self.meters()
            .map(|m| m.queued.load(Ordering::Relaxed))
            .sum()
    }

    fn meters(&self) -> impl Iterator<Item = &Meter> {
        self.shards.iter().map(|s| &*s.meter)
    }

    /// Refuses new sends from now on (`WriteError::Stopped`) and waits until every send already
    /// queued is answered, or `deadline` passes. True when every shard drained in time.
    pub async fn close(&self, deadline: Instant) -> bool {
        for meter in self.meters() {
            meter.closing.store(true, Ordering::SeqCst);
        }
        loop {
            let idle =
                |m: &Meter| m.queued.load(Ordering::SeqCst) == 0 && !m.busy.load(Ordering::SeqCst);
            if self.meters().all(idle) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Stores `message` in the next batch of its conversation's shard; resolves once it is
    /// committed. Refused at once (`WriteError::Busy`) when that shard is behind by more than the
    /// admission delay (see `Backlog`).
    pub async fn insert(&self, message: NewMessage) -> Result<Committed, WriteError> {
        self.enqueue(message).committed().await
    }

    /// Queues `message` now, without waiting: messages of one conversation are stored in the
    /// order they were queued, so a caller that must keep an order (a socket's sends) queues
    /// them in that order and awaits the commits afterwards, in any order.
    pub fn enqueue(&self, message: NewMessage) -> Queued {
        let shard = &self.shards[self.shard_of(message.radar_user, message.customer)];
        let meter = &*shard.meter;
        if meter.closing.load(Ordering::SeqCst) {
            return Queued(Err(WriteError::Stopped));
        }
        if let Some(cause) = self.refusal(meter) {
            metrics::counter!(names::CHAT_ADMISSION_REFUSALS, "cause" => cause).increment(1);
            return Queued(Err(WriteError::Busy));
        }
        let (reply, answer) = oneshot::channel();
        meter.queued.fetch_add(1, Ordering::SeqCst);
        match shard.tx.try_send(Job { message, reply }) {
            Ok(()) => Queued(Ok(answer)),
            Err(e) => {
                meter.queued.fetch_sub(1, Ordering::SeqCst);
                Queued(Err(match e {
                    mpsc::error::TrySendError::Full(_) => WriteError::Busy,
                    mpsc::error::TrySendError::Closed(_) => WriteError::Stopped,
                }))
            }
        }
    }
}

impl Writer {
    /// Why a new send for the shard of `meter` is refused now, if it is.
    fn refusal(&self, meter: &Meter) -> Option<&'static str> {
        let queued = meter.queued.load(Ordering::Relaxed);
        if !self.admission_delay.is_zero()
            && meter
                .backlog
                .over(queued, self.max_rows, self.admission_delay)
        {
            return Some("backlog");
        }
        if self.lag.as_ref().is_some_and(|lag| lag.overloaded()) {
            return Some("lag");
        }
        None
    }
}

/// A message in a writer's queue (or the reason it was not queued).
pub struct Queued(Result<oneshot::Receiver<Result<Committed, WriteError>>, WriteError>);

impl Queued {
    /// Resolves once the message is committed (or could not be).
    pub async fn committed(self) -> Result<Committed, WriteError> {
        match self.0 {
            Ok(answer) => answer.await.unwrap_or(Err(WriteError::Stopped)),
            Err(e) => Err(e),
        }
    }
}

async fn run(
    pool: Pool,
    config: WriterConfig,
    mut rx: mpsc::Receiver<Job>,
    meter: Arc<Meter>,
    bus: Arc<dyn Bus>,
) {
    let mut batch = Vec::with_capacity(config.batch.max_rows);
    let mut task = Task {
        db: Mutex::new(Dedicated::new(pool)),
        config,
        meter,
        bus,
        stash: IdStash::default(),
    };
    while next_batch(&mut rx, config.batch, &mut batch).await {
        let meter = task.meter.clone();
        // Busy before the queue count drops, so `close` never sees both at rest mid-batch.
        meter.busy.store(true, Ordering::SeqCst);
        meter.queued.fetch_sub(batch.len(), Ordering::SeqCst);
        let jobs = std::mem::take(&mut batch);
        let rows = jobs.len();
        let started = Instant::now();
        task.flush(jobs).await;
        let elapsed = started.elapsed();
        metrics::histogram!(names::CHAT_BATCH_COMMIT).record(elapsed.as_secs_f64());
        meter.backlog.record(rows, elapsed);
        meter.busy.store(false, Ordering::SeqCst);
    }
}

/// The writer task's state.
struct Task {
    /// The writer's own connection, opened from this task: its socket is polled on this thread,
    /// so a round trip wakes no other thread (a pooled connection is driven by whichever HTTP
    /// worker opened it). Behind a mutex only to lend it to the retry loops.
    db: Mutex<Dedicated>,
    config: WriterConfig,
    meter: Arc<Meter>,
    bus: Arc<dyn Bus>,
    stash: IdStash,
}

impl Task {
    /// Writes `jobs`, publishes what was stored and answers every one of them.
    async fn flush(&mut self, jobs: Vec<Job>) {
        let db = &self.db;
        let deadline = Instant::now() + self.config.store_timeout;
        let ids = match self.stash.take(jobs.len()) {
            Some(ids) => ids,
            None => match with_db_retries(deadline, || reserve_ids(db, jobs.len())).await {
                Ok(ids) => ids,
                Err(e) => return answer_all(jobs, e),
            },
        };
        let messages: Vec<&NewMessage> = jobs.iter().map(|j| &j.message).collect();
        let want = IdStash::want(jobs.len(), self.config.batch.max_rows);
        let mut attempt = Attempt::First;
        let write = || insert_batch(db, &ids, &messages, want, attempt.take());
        match with_db_retries(deadline, write).await {
            Ok((committed, next_ids)) => {
                self.stash.refill(next_ids);
                metrics::histogram!(names::CHAT_BATCH_ROWS).record(jobs.len() as f64);
                metrics::counter!(names::CHAT_PERSISTED).increment(jobs.len() as u64);
                for c in &committed {
                    publish(&*self.bus, &c.message);
                }
                for (job, c) in jobs.into_iter().zip(committed) {
                    let _ = job.reply.send(Ok(c));
                }
            }
            Err(WriteError::Refused(reason)) if jobs.len() > 1 => {
                self.meter.splits.fetch_add(1, Ordering::Relaxed);
                let reason = format!("{reason:#}");
                tracing::warn!(rows = jobs.len(), %reason, "batch refused; storing its rows one by one");
                for (job, id) in jobs.into_iter().zip(ids) {
                    let (one, one_id) = ([&job.message], [id]);
                    // A replay: an earlier call of the batch may have committed before failing.
                    let write_one = || insert_batch(db, &one_id, &one, 0, Attempt::Replay);
                    let result = with_db_retries(deadline, write_one).await;
                    let result = result.map(|(mut c, _)| c.remove(0));
                    if let Ok(c) = &result {
                        publish(&*self.bus, &c.message);
                    }
                    let _ = job.reply.send(result);
                }
            }
            Err(e) => answer_all(jobs, e),
        }
    }
}

/// Announces a committed message to both sides of the pair.
fn publish(bus: &dyn Bus, msg: &ChatMessage) {
    bus.publish(Channel::Customer(msg.customer), Event::Message(msg.clone()));
    bus.publish(Channel::Radar(msg.radar_user), Event::Message(msg.clone()));
}

fn answer_all(jobs: Vec<Job>, e: WriteError) {
    tracing::warn!(rows = jobs.len(), error = %e, "batch not stored");
    for job in jobs {
        let _ = job.reply.send(Err(e.clone()));
    }
}
