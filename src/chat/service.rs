//! `send`: validate → insert into PostgreSQL (commit) → publish → answer with the stored row.
//!
//! Every message of the system goes through here, so realtime delivery (next issue) hooks in at
//! one place. Nothing is acknowledged before its row is committed.

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::message::{self, NewMessage, Stored};

/// Stores `m` and announces it; a retry with the same `client_msg_id` returns the first row.
pub async fn send(state: &AppState, m: NewMessage) -> Result<Stored, ApiError> {
    let db = state.db.get().await?;
    let stored = message::insert(&db, &m).await?;
    if stored.inserted {
        tracing::debug!(
            id = stored.id,
            radar_user = m.radar_user,
            customer = m.customer,
            "message stored"
        );
    }
    Ok(stored)
}
