//! Long-polling for the HTTP fallback (M8/R4 `wait`): hold the request until a message of the pair
//! arrives on the bus, or the wait ends.

use std::future::Future;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::chat::event::Channel;
use crate::chat::registry::{next_conn_id, Interest, Unbind, Wait};
use crate::chat::Chat;
use crate::error::ApiError;

/// Runs `fetch`; if it finds nothing and `wait_secs > 0`, waits for a matching event (at most
/// `wait_secs`) and runs it once more. The listener is registered before the first fetch, so a
/// message committed in between is not missed.
pub async fn fetch_or_wait<T, F, Fut>(
    chat: &Chat,
    channel: Channel,
    interest: Interest,
    wait_secs: u64,
    mut fetch: F,
) -> Result<Vec<T>, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Vec<T>, ApiError>>,
{
    if wait_secs == 0 {
        return fetch().await;
    }
    let conn = next_conn_id();
    let (wake, woken) = oneshot::channel();
    chat.registry
        .send(Wait {
            conn,
            channel,
            interest,
            wake,
        })
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("registry unavailable: {e}")))?;
    let result = async {
        let first = fetch().await?;
        if !first.is_empty() {
            return Ok(first);
        }
        let _ = tokio::time::timeout(Duration::from_secs(wait_secs), woken).await;
        fetch().await
    }
    .await;
    chat.registry.do_send(Unbind { conn });
    result
}
