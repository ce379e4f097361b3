//! The statements a writer batch runs, on the shard's own connection, and their retries: reserving
//! the batch's ids (its idempotency key), then one call of `chat_insert_rows` (small batches) or
//! `chat_insert_batch` (large ones) that stores the rows and answers each as a committed message.
//! An unreachable database is retried until the batch's deadline (`with_db_retries`), lock
//! conflicts with other nodes' batches at once (`batch::retry_conflicts`); anything else is the
//! database refusing the rows.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;
use tokio_postgres::types::ToSql;

use super::{Committed, WriteError};
use crate::batch::retry_conflicts;
use crate::error::cause_unavailable;
use crate::ids::{CustomerId, RadarUserId};
use crate::sql;
use crate::store::message::NewMessage;
use crate::store::Dedicated;
use crate::wire::{ChatMessage, CustomerView};

/// Pause between attempts while the database is unreachable.
const RETRY_PAUSE: Duration = Duration::from_millis(100);

/// Runs `attempt` until it succeeds, fails for a reason other than an unreachable database, or
/// `deadline` passes. Lock conflicts with other nodes' batches are retried inside `attempt`.
pub(super) async fn with_db_retries<T, F, Fut>(
    deadline: Instant,
    mut attempt: F,
) -> Result<T, WriteError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, WriteError>>,
{
    loop {
        match attempt().await {
            Err(WriteError::Unavailable) if Instant::now() + RETRY_PAUSE < deadline => {
                tokio::time::sleep(RETRY_PAUSE).await;
            }
            other => return other,
        }
    }
}

fn classify(e: anyhow::Error) -> WriteError {
    if cause_unavailable(&e) {
        WriteError::Unavailable
    } else {
        WriteError::Refused(Arc::new(e))
    }
}

/// Runs `query` on the writer's connection; a connection that failed is dropped (the next
/// attempt opens a new one).
async fn on_connection<T>(
    db: &Mutex<Dedicated>,
    query: impl AsyncFnOnce(&deadpool_postgres::ClientWrapper) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let mut conn = db.lock().await;
    let result = match conn.get().await {
        Ok(client) => query(client).await,
        Err(e) => Err(e),
    };
    if result.as_ref().is_err_and(cause_unavailable) {
        conn.reset();
    }
    result
}

/// Reserves `n` message ids, in order (the batch's idempotency key).
pub(super) async fn reserve_ids(db: &Mutex<Dedicated>, n: usize) -> Result<Vec<i64>, WriteError> {
    on_connection(db, async |db| {
        let stmt = db.prepare_cached(sql!("message/next_ids")).await?;
        let n = i64::try_from(n)?;
        let rows = db.query(&stmt, &[&n]).await?;
        Ok(rows.iter().map(|r| r.get(0)).collect::<Vec<i64>>())
    })
    .await
    .map_err(classify)
}

/// Whether a batch's store call may repeat an earlier one that stored its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Attempt {
    /// The batch's ids were just reserved: no row can have them yet.
    First,
    /// A call with these ids was made before and may have committed (the connection died around
    /// COMMIT): rows that already have these ids are answered, not stored again.
    Replay,
}

impl Attempt {
    /// This attempt; every later one is a replay.
    pub(super) fn take(&mut self) -> Attempt {
        std::mem::replace(self, Attempt::Replay)
    }
}

/// Batches of up to this many rows are stored row by row (`chat_insert_rows`), larger ones by one
/// set-based statement (`chat_insert_batch`): each costs PostgreSQL less on its side of it
/// (measured: sql/migrations/V18__chat_insert_rows.sql).
const ROW_BY_ROW_MAX: usize = 8;

/// Stores `ms` with their reserved `ids`, again after a lock conflict (a replay then); also
/// reserves `reserve` ids for the next batches (answered second).
pub(super) async fn insert_batch(
    db: &Mutex<Dedicated>,
    ids: &[i64],
    ms: &[&NewMessage],
    reserve: i32,
    mut attempt: Attempt,
) -> Result<(Vec<Committed>, Vec<i64>), WriteError> {
    retry_conflicts(|| {
        let replay = attempt.take() == Attempt::Replay;
        on_connection(db, async move |db| {
            insert_batch_once(db, ids, ms, reserve, replay).await
        })
    })
    .await
    .map_err(classify)
}

async fn insert_batch_once(
    db: &deadpool_postgres::ClientWrapper,
    ids: &[i64],
    ms: &[&NewMessage],
    reserve: i32,
    replay: bool,
) -> anyhow::Result<(Vec<Committed>, Vec<i64>)> {
    let users: Vec<RadarUserId> = ms.iter().map(|m| m.radar_user).collect();
    let customers: Vec<CustomerId> = ms.iter().map(|m| m.customer).collect();
    let send_types: Vec<i16> = ms.iter().map(|m| m.send_type).collect();
    let contents: Vec<&serde_json::Value> = ms.iter().map(|m| &m.content).collect();
    let cu: Vec<bool> = ms.iter().map(|m| m.unread_for_customer).collect();
    let uu: Vec<bool> = ms.iter().map(|m| m.unread_for_radar).collect();
    let cmids: Vec<Option<&str>> = ms.iter().map(|m| m.client_msg_id.as_deref()).collect();
    let quotes: Vec<bool> = ms.iter().map(|m| m.quotes_article).collect();
    let counters: Vec<i32> = ms.iter().map(|m| m.counter as i32).collect();
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![
        &ids,
        &users,
        &customers,
        &send_types,
        &contents,
        &cu,
        &uu,
        &cmids,
        &quotes,
        &counters,
        &reserve,
    ];
    let stmt = if ms.len() <= ROW_BY_ROW_MAX {
        params.push(&replay);
        db.prepare_cached(sql!("message/insert_rows")).await?
    } else {
        // Looks every id up: replays cost nothing extra there.
        db.prepare_cached(sql!("message/insert_batch")).await?
    };
    let rows = db.query(&stmt, &params).await?;
    anyhow::ensure!(
        rows.len() == ms.len(),
        "{} answers for {} rows",
        rows.len(),
        ms.len()
    );
    let next_ids = rows
        .first()
        .and_then(|r| r.get::<_, Option<Vec<i64>>>("next_ids"))
        .unwrap_or_default();
    let committed = rows
        .iter()
        .zip(ids)
        .zip(ms)
        .map(|((r, reserved), m)| {
            let id: i64 = r.get("id");
            Committed {
                message: ChatMessage {
                    id,
                    seq: r.get("seq"),
                    radar_user: m.radar_user,
                    customer: m.customer,
                    send_type: m.send_type,
                    content: m.content.clone(),
                    create_date: r.get("create_date"),
                    client_msg_id: m.client_msg_id.clone(),
                    unread_for_customer: m.unread_for_customer,
                    unread_for_radar: m.unread_for_radar,
                    customer_view: Some(CustomerView {
                        badge: r.get("customer_badge"),
                        read_seq: r.get("customer_read_seq"),
                    }),
                },
                // A replay of this very batch after an ambiguous failure stored it too.
                inserted: r.get::<_, bool>("inserted") || id == *reserved,
            }
        })
        .collect();
    Ok((committed, next_ids))
}
