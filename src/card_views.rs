//! Group commit of card views (M10, the hottest write): concurrent views are counted, logged and
//! read back by one statement per batch (`sql/card/view_batch.sql`). A popular card is then locked
//! and its popularity written once per batch instead of once per view, and the whole batch shares
//! one commit. Each viewer is answered only after the commit, with the card as it was right after
//! its own view (popularity and the numbered remark come out as if views ran one after another).
//!
//! One batch runs on one PostgreSQL backend, i.e. on one core. Views are therefore split into
//! shards by radar user, one task, one connection and one batch stream per core: shards never lock
//! the same radar user or binding, so their batches run side by side instead of queueing on each
//! other's locks. Each shard opens its own connection from its task (`store::Dedicated`), so the
//! round trips of a batch do not wait for an HTTP worker thread to poll a pooled socket.

use std::sync::Arc;

use deadpool_postgres::{ClientWrapper, Pool};
use tokio::sync::{mpsc, oneshot};

use crate::batch::{next_batch, retry_conflicts, BatchConfig};
use crate::store::card::{self, CardView};
use crate::store::Dedicated;

/// Queued views waiting for the batcher; viewers beyond this wait (backpressure, not memory).
const QUEUE: usize = 16_384;

/// Views per statement at most. No extra wait: a batch is what arrived while the previous one ran,
/// so a lone view costs no more latency than before.
const BATCH: BatchConfig = BatchConfig {
    max_rows: 256,
    window: std::time::Duration::ZERO,
};

type Answer = Result<Option<CardView>, ViewError>;

/// Why a view was not written: its batch's failure, shared by every view the batch answers, with
/// its whole cause (not flattened to text on the way).
#[derive(Debug, Clone, thiserror::Error)]
#[error("card view not written: {0:#}")]
pub struct ViewError(Arc<anyhow::Error>);

struct Job {
    radar_user: i64,
    customer: i64,
    reply: oneshot::Sender<Answer>,
}

/// Handle to the card-view tasks.
#[derive(Clone)]
pub struct CardViews {
    shards: Vec<mpsc::Sender<Job>>,
}

impl CardViews {
    /// Starts `shards` tasks (at least one) on the current runtime.
    pub fn start(pool: Pool, shards: usize) -> CardViews {
        let shards = shards.max(1);
        let shards = (0..shards)
            .map(|_| {
                let (tx, rx) = mpsc::channel(QUEUE / shards);
                tokio::spawn(run(pool.clone(), rx));
                tx
            })
            .collect();
        CardViews { shards }
    }

    /// Counts and logs one view of `radar_user`'s card by `customer`; resolves once committed with
    /// the card, or `None` when that radar user is not in the customer's company.
    pub async fn view(
        &self,
        radar_user: i64,
        customer: i64,
    ) -> Result<Option<CardView>, ViewError> {
        let (reply, answer) = oneshot::channel();
        let gone = || ViewError(Arc::new(anyhow::anyhow!("card view writer stopped")));
        let job = Job {
            radar_user,
            customer,
            reply,
        };
        // Any spread works as long as one radar user always lands on the same shard.
        let shard = &self.shards[radar_user.unsigned_abs() as usize % self.shards.len()];
        shard.send(job).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

async fn run(pool: Pool, mut rx: mpsc::Receiver<Job>) {
    let mut db = Dedicated::new(pool);
    let mut batch = Vec::with_capacity(BATCH.max_rows);
    while next_batch(&mut rx, BATCH, &mut batch).await {
        let jobs = std::mem::take(&mut batch);
        flush(&mut db, jobs).await;
    }
}

/// Writes `jobs` and answers each. A batch that fails as a whole is tried view by view, so a view
/// that cannot be written fails alone.
async fn flush(db: &mut Dedicated, jobs: Vec<Job>) {
    let db = match db.get().await {
        Ok(client) => client,
        Err(e) => return fail_all(jobs, e),
    };
    let views: Vec<(i64, i64)> = jobs.iter().map(|j| (j.radar_user, j.customer)).collect();
    match retry_conflicts(|| write(db, &views)).await {
        Ok(cards) => answer(jobs, cards),
        Err(e) if jobs.len() > 1 => {
            tracing::warn!(
                error = format!("{e:#}"),
                views = jobs.len(),
                "card view batch failed; retrying view by view"
            );
            for job in jobs {
                let one = [(job.radar_user, job.customer)];
                match retry_conflicts(|| write(db, &one)).await {
                    Ok(cards) => answer(vec![job], cards),
                    Err(e) => fail_all(vec![job], e),
                }
            }
        }
        Err(e) => fail_all(jobs, e),
    }
}

async fn write(db: &ClientWrapper, views: &[(i64, i64)]) -> anyhow::Result<Vec<(usize, CardView)>> {
    Ok(card::view_batch(db, views).await?)
}

/// Hands each job its card; jobs without a row get `None`.
fn answer(jobs: Vec<Job>, cards: Vec<(usize, CardView)>) {
    let mut slots: Vec<Option<CardView>> = jobs.iter().map(|_| None).collect();
    for (position, card) in cards {
        if let Some(slot) = slots.get_mut(position) {
            *slot = Some(card);
        }
    }
    for (job, card) in jobs.into_iter().zip(slots) {
        let _ = job.reply.send(Ok(card));
    }
}

/// Answers every job with `e`, the cause kept whole (not flattened to text).
fn fail_all(jobs: Vec<Job>, e: anyhow::Error) {
    let e = ViewError(Arc::new(e));
    for job in jobs {
        let _ = job.reply.send(Err(e.clone()));
    }
}
