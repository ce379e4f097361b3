//! Group read-marking for pushes. Every message pushed to a socket changes or reports read state
//! (the customer's badge, the read watermarks of sql/migrations/V12); doing that with one
//! statement per push would cost the database more than storing the message. Like the writer, one task gathers the requests of a
//! short window and answers them with one statement per side.

use std::collections::{HashMap, HashSet};

use deadpool_postgres::Pool;
use tokio::sync::{mpsc, oneshot};

use crate::batch::{next_batch, retry_conflicts, BatchConfig};
use crate::sql;
use crate::store::Dedicated;

/// Queued requests waiting for the reader; senders beyond this wait.
const QUEUE: usize = 16_384;

/// The customer side of one push: the badge before it, and whether radar messages became read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerRead {
    pub badge: i64,
    pub read: i64,
}

enum Request {
    Customer {
        pair: (i64, i64),
        seq: i64,
        reply: oneshot::Sender<CustomerRead>,
    },
    Radar {
        pair: (i64, i64),
        seq: i64,
    },
}

/// Handle to the reader task.
#[derive(Clone)]
pub struct Reader {
    tx: mpsc::Sender<Request>,
}

impl Reader {
    /// Starts the reader task; `on_radar_read` is told which radar users' unread counts changed.
    pub fn start(
        pool: Pool,
        config: BatchConfig,
        on_radar_read: impl Fn(i64) + Send + 'static,
    ) -> Reader {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, config, rx, on_radar_read));
        Reader { tx }
    }

    /// A push reached a customer socket: the badge before it and, when `mark` is the pushed
    /// message seq, the pair read up to it. `None` if the database could not be reached.
    pub async fn customer(
        &self,
        radar_user: i64,
        customer: i64,
        mark: Option<i64>,
    ) -> Option<CustomerRead> {
        let (reply, answer) = oneshot::channel();
        let req = Request::Customer {
            pair: (radar_user, customer),
            seq: mark.unwrap_or(0),
            reply,
        };
        self.tx.send(req).await.ok()?;
        answer.await.ok()
    }

    /// A customer message reached the radar user's chat socket: mark it read (in the background).
    pub fn radar(&self, radar_user: i64, customer: i64, seq: i64) {
        if self
            .tx
            .try_send(Request::Radar {
                pair: (radar_user, customer),
                seq,
            })
            .is_err()
        {
            tracing::warn!("read-marking queue full; the message stays unread for the radar user");
        }
    }
}

async fn run(
    pool: Pool,
    config: BatchConfig,
    mut rx: mpsc::Receiver<Request>,
    on_radar_read: impl Fn(i64),
) {
    let mut batch = Vec::with_capacity(config.max_rows);
    // Read flags are not worth waiting for an fsync, so the reader's own connection commits
    // asynchronously: a crash may forget the last read marks of a fraction of a second, never a
    // message.
    let mut conn = Dedicated::with_setup(pool, "SET synchronous_commit = off");
    while next_batch(&mut rx, config, &mut batch).await {
        let (customers, radars): (Vec<_>, Vec<_>) = std::mem::take(&mut batch)
            .into_iter()
            .partition(|r| matches!(r, Request::Customer { .. }));
        let db = match conn.get().await {
            Ok(db) => db,
            Err(e) => {
                // The requests are dropped: customers get no answer (their push is skipped and
                // they catch up over HTTP); the marks are retried by the next read.
                tracing::warn!(
                    error = format!("{e:#}"),
                    "read-marking connection unavailable"
                );
                continue;
            }
        };
        let customers_done = flush_customers(db, customers).await;
        let radars_done = retry_conflicts(|| flush_radars(db, &radars)).await;
        if let Err(e) = &customers_done {
            tracing::warn!(error = format!("{e:#}"), "customer read-marking failed");
        }
        match radars_done {
            Ok(users) => users.into_iter().for_each(&on_radar_read),
            Err(e) => tracing::warn!(error = format!("{e:#}"), "radar read-marking failed"),
        }
        if customers_done.is_err() {
            conn.reset();
        }
    }
}

fn columns(reqs: &[(i64, i64, i64)]) -> (Vec<i64>, Vec<i64>, Vec<i64>) {
    (
        reqs.iter().map(|r| r.0).collect(),
        reqs.iter().map(|r| r.1).collect(),
        reqs.iter().map(|r| r.2).collect(),
    )
}

async fn flush_customers(
    db: &deadpool_postgres::ClientWrapper,
    reqs: Vec<Request>,
) -> anyhow::Result<()> {
    if reqs.is_empty() {
        return Ok(());
    }
    let mut keys = Vec::with_capacity(reqs.len());
    let mut replies = Vec::with_capacity(reqs.len());
    for r in reqs {
        if let Request::Customer { pair, seq, reply } = r {
            keys.push((pair.0, pair.1, seq));
            replies.push((pair, reply));
        }
    }
    let mut by_pair = retry_conflicts(|| customer_reads(db, &keys)).await?;
    for (pair, reply) in replies {
        // The first request of a pair reports the messages read; later ones (other devices) don't,
        // so one read receipt goes out.
        let answer = by_pair
            .get(&pair)
            .copied()
            .unwrap_or(CustomerRead { badge: 0, read: 0 });
        if let Some(entry) = by_pair.get_mut(&pair) {
            entry.read = 0;
        }
        let _ = reply.send(answer);
    }
    Ok(())
}

/// One statement for all customer-side requests: `(pair) → (badge before, radar messages read)`.
async fn customer_reads(
    db: &deadpool_postgres::ClientWrapper,
    keys: &[(i64, i64, i64)],
) -> anyhow::Result<HashMap<(i64, i64), CustomerRead>> {
    let (users, customers, ids) = columns(keys);
    let stmt = db
        .prepare_cached(sql!("chat/push_read_customer_batch"))
        .await?;
    let rows = db.query(&stmt, &[&users, &customers, &ids]).await?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                (r.get(0), r.get(1)),
                CustomerRead {
                    badge: r.get(2),
                    read: r.get(3),
                },
            )
        })
        .collect())
}

async fn flush_radars(
    db: &deadpool_postgres::ClientWrapper,
    reqs: &[Request],
) -> anyhow::Result<HashSet<i64>> {
    let keys: Vec<(i64, i64, i64)> = reqs
        .iter()
        .filter_map(|r| match r {
            Request::Radar { pair, seq } => Some((pair.0, pair.1, *seq)),
            Request::Customer { .. } => None,
        })
        .collect();
    if keys.is_empty() {
        return Ok(HashSet::new());
    }
    let (users, customers, ids) = columns(&keys);
    let stmt = db
        .prepare_cached(sql!("chat/push_read_radar_batch"))
        .await?;
    Ok(db
        .query(&stmt, &[&users, &customers, &ids])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}
