//! Group commit, shared by every writer that batches requests into one statement (chat messages,
//! read marks, card views): one task per kind gathers what arrived while the previous statement
//! ran, writes it with one statement and one commit, and answers each request. Throughput is then
//! not capped by one round trip and one WAL flush per request, and hot rows are locked once per
//! batch instead of once per request.

use std::time::Duration;

use tokio::sync::mpsc;

/// How batches are formed.
#[derive(Debug, Clone, Copy)]
pub struct BatchConfig {
    /// Most rows in one statement.
    pub max_rows: usize,
    /// How long the writer waits for more rows after the first one.
    pub window: Duration,
}

/// Waits for the next request, then gathers more for up to `config.window` (at most
/// `config.max_rows` in all) into `batch`. False once every sender is gone.
pub async fn next_batch<T>(
    rx: &mut mpsc::Receiver<T>,
    config: BatchConfig,
    batch: &mut Vec<T>,
) -> bool {
    let Some(first) = rx.recv().await else {
        return false;
    };
    batch.push(first);
    let deadline = tokio::time::Instant::now() + config.window;
    while batch.len() < config.max_rows {
        match rx.try_recv() {
            Ok(item) => batch.push(item),
            Err(_) if config.window.is_zero() => break,
            Err(_) => match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(item)) => batch.push(item),
                _ => break,
            },
        }
    }
    true
}

/// Tries a batch statement that lost a deadlock (or a serialization conflict) again: several
/// nodes write the same conversations and bindings, and PostgreSQL breaks such cycles by aborting
/// one side, which then only has to repeat its statement. A unique violation is such a race too:
/// two nodes storing the same chat `client_msg_id` at the same instant both find it new, and the
/// second one's repeat finds the first one's row (sql/migrations/V18).
pub async fn retry_conflicts<T, F, Fut>(mut attempt: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    const ATTEMPTS: u32 = 4;
    for n in 1.. {
        match attempt().await {
            Err(e) if n < ATTEMPTS && is_conflict(&e) => {
                tracing::debug!(attempt = n, "batch lost a lock conflict; trying again");
                tokio::time::sleep(Duration::from_millis(u64::from(n) * 3)).await;
            }
            other => return other,
        }
    }
    unreachable!("the loop returns on its last attempt")
}

fn is_conflict(e: &anyhow::Error) -> bool {
    use tokio_postgres::error::SqlState;
    e.chain()
        .filter_map(|c| c.downcast_ref::<tokio_postgres::Error>())
        .filter_map(tokio_postgres::Error::code)
        .any(|code| {
            *code == SqlState::T_R_DEADLOCK_DETECTED
                || *code == SqlState::T_R_SERIALIZATION_FAILURE
                || *code == SqlState::UNIQUE_VIOLATION
        })
}
