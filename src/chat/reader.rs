//! Group read-marking, off the push path. A push changes read state where the spec says so (the
//! customer inside the chat page reads radar messages; the radar user's chat socket reads customer
//! messages: the watermarks of sql/migrations/V12); doing that with one statement per push would
//! cost the database more than storing the message, and waiting for it would delay the push. So a
//! session queues the mark and goes on; one task gathers the marks that arrive while its previous
//! statement runs and writes them with one statement per side, then announces what changed (a
//! read receipt for the radar user, or their new unread count). A conversation a writer batch
//! holds is skipped rather than waited for, and its mark is tried again a moment later
//! (`Skipped`): a reader waiting there while holding its other rows chained the writers of several
//! nodes behind each other.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use deadpool_postgres::Pool;
use tokio::sync::mpsc;

use crate::batch::{next_batch, retry_conflicts, BatchConfig};
use crate::ids::{CustomerId, RadarUserId};
use crate::sql;
use crate::store::Dedicated;

/// How soon marks skipped because another transaction held their conversation are tried again:
/// about one writer commit.
const RETRY_SKIPPED: Duration = Duration::from_millis(2);

/// Queued marks waiting for the reader; beyond this a mark is dropped (logged) and the message
/// stays unread, as if the client had not seen it.
const QUEUE: usize = 16_384;

/// What a flushed batch of marks changed, for the bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadChange {
    /// The customer read radar messages of the pair: a read receipt for the radar user (§6.4).
    CustomerRead {
        radar_user: RadarUserId,
        customer: CustomerId,
    },
    /// The radar user read customer messages: their unread count changed.
    RadarRead { radar_user: RadarUserId },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Side {
    Customer,
    Radar,
}

struct Mark {
    side: Side,
    pair: (RadarUserId, CustomerId),
    seq: i64,
}

/// Handle to the reader task.
#[derive(Clone)]
pub struct Reader {
    tx: mpsc::Sender<Mark>,
}

impl Reader {
    /// Starts the reader task; `on_change` hears what each batch changed.
    pub fn start(
        pool: Pool,
        config: BatchConfig,
        on_change: impl Fn(ReadChange) + Send + 'static,
    ) -> Reader {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, config, rx, on_change));
        Reader { tx }
    }

    /// A radar message up to `seq` reached the customer inside the chat page: mark it read.
    pub fn customer(&self, radar_user: RadarUserId, customer: CustomerId, seq: i64) {
        self.queue(Side::Customer, (radar_user, customer), seq);
    }

    /// A customer message up to `seq` reached the radar user's chat socket: mark it read.
    pub fn radar(&self, radar_user: RadarUserId, customer: CustomerId, seq: i64) {
        self.queue(Side::Radar, (radar_user, customer), seq);
    }

    fn queue(&self, side: Side, pair: (RadarUserId, CustomerId), seq: i64) {
        if self.tx.try_send(Mark { side, pair, seq }).is_err() {
            tracing::warn!(?side, "read-marking queue full; the message stays unread");
        }
    }
}

async fn run(
    pool: Pool,
    config: BatchConfig,
    mut rx: mpsc::Receiver<Mark>,
    mut on_change: impl FnMut(ReadChange),
) {
    let mut batch = Vec::with_capacity(config.max_rows);
    let mut skipped = Skipped::default();
    // Read flags are not worth waiting for an fsync, so the reader's own connection commits
    // asynchronously: a crash may forget the last read marks of a fraction of a second, never a
    // message. Its statements only look conversations up by key: with a handful of keys against a
    // small table the planner would rather scan the table (every row, every batch), and with the
    // values of each call it would plan each batch again.
    let mut conn = Dedicated::with_setup(
        pool,
        "SET synchronous_commit = off; SET enable_seqscan = off; \
         SET plan_cache_mode = force_generic_plan",
    );
    loop {
        let open = gather(&mut rx, config, &mut batch, !skipped.is_empty()).await;
        let mut marks = skipped.take();
        marks.append(&mut batch);
        if !marks.is_empty() {
            write_marks(&mut conn, &marks, &mut skipped, &mut on_change).await;
        }
        if !open {
            break;
        }
    }
}

/// Waits for the next marks. While skipped marks wait to be tried again, waits at most
/// [`RETRY_SKIPPED`]. False once the queue is closed.
async fn gather(
    rx: &mut mpsc::Receiver<Mark>,
    config: BatchConfig,
    batch: &mut Vec<Mark>,
    retrying: bool,
) -> bool {
    if !retrying {
        return next_batch(rx, config, batch).await;
    }
    // Cancelling `next_batch` loses nothing: what it received is already in `batch`.
    tokio::time::timeout(RETRY_SKIPPED, next_batch(rx, config, batch))
        .await
        .unwrap_or(true)
}

/// One statement per side; announces what changed and keeps what was skipped for the next turn.
async fn write_marks(
    conn: &mut Dedicated,
    marks: &[Mark],
    skipped: &mut Skipped,
    on_change: &mut impl FnMut(ReadChange),
) {
    let db = match conn.get().await {
        Ok(db) => db,
        Err(e) => {
            // The marks are dropped: the messages stay unread until the next read.
            tracing::warn!(
                error = format!("{e:#}"),
                "read-marking connection unavailable"
            );
            return;
        }
    };
    let mut failed = false;
    for side in [Side::Customer, Side::Radar] {
        let keys: Vec<(RadarUserId, CustomerId, i64)> = marks
            .iter()
            .filter(|m| m.side == side)
            .map(|m| (m.pair.0, m.pair.1, m.seq))
            .collect();
        if keys.is_empty() {
            continue;
        }
        match retry_conflicts(|| flush(db, side, &keys)).await {
            Ok(flushed) => {
                flushed.changes.into_iter().for_each(&mut *on_change);
                for &(radar_user, customer, seq) in &keys {
                    if flushed.skipped.contains(&(radar_user, customer)) {
                        skipped.keep(side, (radar_user, customer), seq);
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = format!("{e:#}"), ?side, "read-marking failed");
                failed = true;
            }
        }
    }
    if failed {
        conn.reset();
    }
}

/// Marks whose conversation another transaction held, by side and pair (the highest seq: a
/// watermark only moves up), to be tried again. At most one per pair and side, however long a
/// pair stays held.
#[derive(Default)]
struct Skipped(HashMap<(Side, (RadarUserId, CustomerId)), i64>);

impl Skipped {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn keep(&mut self, side: Side, pair: (RadarUserId, CustomerId), seq: i64) {
        let kept = self.0.entry((side, pair)).or_insert(seq);
        *kept = (*kept).max(seq);
    }

    fn take(&mut self) -> Vec<Mark> {
        self.0
            .drain()
            .map(|((side, pair), seq)| Mark { side, pair, seq })
            .collect()
    }
}

/// What one statement did: the changes to announce, and the pairs it skipped.
struct Flushed {
    changes: HashSet<ReadChange>,
    skipped: HashSet<(RadarUserId, CustomerId)>,
}

/// One statement for every mark of `side`.
async fn flush(
    db: &deadpool_postgres::ClientWrapper,
    side: Side,
    keys: &[(RadarUserId, CustomerId, i64)],
) -> anyhow::Result<Flushed> {
    let users: Vec<RadarUserId> = keys.iter().map(|k| k.0).collect();
    let customers: Vec<CustomerId> = keys.iter().map(|k| k.1).collect();
    let seqs: Vec<i64> = keys.iter().map(|k| k.2).collect();
    let stmt = match side {
        Side::Customer => sql!("chat/push_read_customer_batch"),
        Side::Radar => sql!("chat/push_read_radar_batch"),
    };
    let stmt = db.prepare_cached(stmt).await?;
    let rows = db.query(&stmt, &[&users, &customers, &seqs]).await?;
    let mut flushed = Flushed {
        changes: HashSet::new(),
        skipped: HashSet::new(),
    };
    for r in &rows {
        let (radar_user, customer) = (r.get("user_id"), r.get("customer_id"));
        if r.get("skipped") {
            flushed.skipped.insert((radar_user, customer));
            continue;
        }
        flushed.changes.insert(match side {
            Side::Customer => ReadChange::CustomerRead {
                radar_user,
                customer,
            },
            Side::Radar => ReadChange::RadarRead { radar_user },
        });
    }
    Ok(flushed)
}
