//! Group commit: concurrent sends are written in batches — one statement and one commit for many
//! rows — by a single writer task, so throughput is not capped by one INSERT round trip per message
//! and per-conversation order is the id order. Each sender is answered only after its row is
//! committed. A batch that fails as a whole is retried row by row, so one bad row fails alone.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use deadpool_postgres::Pool;
use tokio::sync::{mpsc, oneshot};

use crate::batch::{next_batch, retry_conflicts, BatchConfig};
use crate::error::ApiError;
use crate::sql;
use crate::store::message::{self, NewMessage, Stored};

/// Queued sends waiting for the writer; senders beyond this wait (backpressure, not memory).
const QUEUE: usize = 16_384;

struct Job {
    message: NewMessage,
    reply: oneshot::Sender<Result<Stored, String>>,
}

/// Handle to the writer task.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
    /// Batches that failed as a whole and were written row by row (should stay 0).
    fallbacks: Arc<AtomicU64>,
}

impl Writer {
    /// Starts the writer task on the current runtime.
    pub fn start(pool: Pool, config: BatchConfig) -> Writer {
        let (tx, rx) = mpsc::channel(QUEUE);
        let fallbacks = Arc::new(AtomicU64::new(0));
        tokio::spawn(run(pool, config, rx, fallbacks.clone()));
        Writer { tx, fallbacks }
    }

    /// How many batches fell back to row-by-row inserts since start.
    pub fn fallbacks(&self) -> u64 {
        self.fallbacks.load(Ordering::Relaxed)
    }

    /// Inserts `m` in the next batch; resolves once it is committed.
    pub async fn insert(&self, message: NewMessage) -> Result<Stored, ApiError> {
        let (reply, answer) = oneshot::channel();
        let gone = || ApiError::Internal(anyhow::anyhow!("message writer stopped"));
        self.tx
            .send(Job { message, reply })
            .await
            .map_err(|_| gone())?;
        answer
            .await
            .map_err(|_| gone())?
            .map_err(|e| ApiError::Internal(anyhow::anyhow!(e)))
    }
}

async fn run(
    pool: Pool,
    config: BatchConfig,
    mut rx: mpsc::Receiver<Job>,
    fallbacks: Arc<AtomicU64>,
) {
    let mut batch = Vec::with_capacity(config.max_rows);
    while next_batch(&mut rx, config, &mut batch).await {
        flush(&pool, &mut batch, &fallbacks).await;
    }
}

/// Writes `batch` and answers every job in it.
async fn flush(pool: &Pool, batch: &mut Vec<Job>, fallbacks: &AtomicU64) {
    let jobs = std::mem::take(batch);
    match retry_conflicts(|| insert_batch(pool, &jobs)).await {
        Ok(results) => {
            for (job, result) in jobs.into_iter().zip(results) {
                let _ = job.reply.send(Ok(result));
            }
        }
        Err(e) => {
            fallbacks.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                error = format!("{e:#}"),
                rows = jobs.len(),
                "batch insert failed; retrying row by row"
            );
            for job in jobs {
                let result = insert_one(pool, &job.message)
                    .await
                    .map_err(|e| format!("{e:#}"));
                let _ = job.reply.send(result);
            }
        }
    }
}

async fn insert_one(pool: &Pool, m: &NewMessage) -> anyhow::Result<Stored> {
    let db = pool.get().await?;
    Ok(message::insert(&db, m).await?)
}

/// One batch: reserve ids, insert all rows in one statement, then find the rows a retry hit.
async fn insert_batch(pool: &Pool, jobs: &[Job]) -> anyhow::Result<Vec<Stored>> {
    let db = pool.get().await?;
    let n = i64::try_from(jobs.len())?;
    let stmt = db.prepare_cached(sql!("message/next_ids")).await?;
    let ids: Vec<i64> = db
        .query(&stmt, &[&n])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    anyhow::ensure!(
        ids.len() == jobs.len(),
        "reserved {} ids for {} rows",
        ids.len(),
        jobs.len()
    );
    let ms: Vec<&NewMessage> = jobs.iter().map(|j| &j.message).collect();
    let col = |f: fn(&NewMessage) -> i64| ms.iter().map(|m| f(m)).collect::<Vec<i64>>();
    let users = col(|m| m.radar_user);
    let customers = col(|m| m.customer);
    let send_types: Vec<i16> = ms.iter().map(|m| m.send_type).collect();
    let contents: Vec<&serde_json::Value> = ms.iter().map(|m| &m.content).collect();
    let cu: Vec<bool> = ms.iter().map(|m| m.unread_for_customer).collect();
    let uu: Vec<bool> = ms.iter().map(|m| m.unread_for_radar).collect();
    let cmids: Vec<Option<&str>> = ms.iter().map(|m| m.client_msg_id.as_deref()).collect();
    let articles: Vec<Option<i64>> = ms.iter().map(|m| m.article_id).collect();
    let counters: Vec<i32> = ms.iter().map(|m| m.counter as i32).collect();
    let stmt = db.prepare_cached(sql!("message/insert_batch")).await?;
    let rows = db
        .query(
            &stmt,
            &[
                &ids,
                &users,
                &customers,
                &send_types,
                &contents,
                &cu,
                &uu,
                &cmids,
                &articles,
                &counters,
            ],
        )
        .await?;
    let inserted: HashMap<i64, chrono::DateTime<chrono::Utc>> =
        rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let mut out = Vec::with_capacity(jobs.len());
    for (id, m) in ids.iter().zip(&ms) {
        match inserted.get(id) {
            Some(at) => out.push(Stored {
                id: *id,
                create_date: *at,
                inserted: true,
            }),
            // A repeated client_msg_id: the first stored message answers again.
            None => out.push(message::insert(&db, m).await?),
        }
    }
    Ok(out)
}
