//! Open sockets lose access with their account (issue 8 item 2), checked once per node.
//!
//! A socket is verified once, at its first frame, against its principal's token. An account
//! that is disabled or deleted, whose company is deleted, or whose token changed must lose its
//! open sockets within `auth.token_cache_secs`, like its HTTP requests (on whichever node the
//! change was made: every node reads the shared database). Instead of every socket re-reading its
//! own token on a timer of its own (one query and one timer per socket: ~1,700 queries/s at
//! 50,000 sockets), one task per node sweeps every `auth.token_cache_secs`:
//!
//! 1. it asks the registry, a page at a time, which principals have sockets bound on this node
//!    and with which token (`Principals`: a fingerprint of the token each socket verified);
//! 2. reads those principals' current tokens in one query per family and page
//!    (sql/auth/customer_tokens.sql, radar_user_tokens.sql: the access rules of the one-principal
//!    lookups);
//! 3. tells the registry which (principal, fingerprint) pairs are stale (`Revoke`); the registry
//!    closes exactly the sockets bound with them (token error frame, then 1008).
//!
//! A socket bound meanwhile with a newer token has another fingerprint and stays open; one bound
//! with the stale token is closed with the others. A database outage skips the sweep (sockets stay
//! open; the next sweep checks again), as the per-socket check did.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::time::Duration;

use actix::Addr;
use deadpool_postgres::Pool;

use crate::chat::event::Channel;
use crate::chat::registry::{GetStats, Principals, Registry, Revoke};
use crate::ids::{CustomerId, RadarUserId};
use crate::store;

/// Principals read per query: a page's ids travel as one array parameter.
const PAGE: usize = 2_000;

/// The fingerprint of a token a socket was verified with. The registry keeps these 8 bytes per
/// socket rather than the token; only tokens of this process are compared, so any fixed hash
/// will do (a collision would only keep a stale socket open: 2⁻⁶⁴).
pub fn fingerprint(token: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    token.hash(&mut h);
    h.finish()
}

/// Starts this node's sweep: every `every`, until the registry stops.
pub fn start(registry: Addr<Registry>, db: Pool, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await; // the first tick is immediate: nothing is bound yet
        loop {
            tick.tick().await;
            match sweep(&registry, &db).await {
                Ok(0) => {}
                Ok(closed) => tracing::info!(closed, "sockets of accounts that lost access closed"),
                Err(Stop::RegistryGone) => return,
                // The database is unreachable: keep the sockets, try again next time.
                Err(Stop::Database(e)) => tracing::debug!(error = %e, "token sweep failed"),
            }
        }
    });
}

/// Why a sweep ended early.
enum Stop {
    /// The node is shutting down.
    RegistryGone,
    Database(anyhow::Error),
}

impl From<actix::MailboxError> for Stop {
    fn from(_: actix::MailboxError) -> Stop {
        Stop::RegistryGone
    }
}

/// One sweep over every socket of the node; answers how many were closed.
async fn sweep(registry: &Addr<Registry>, db: &Pool) -> Result<usize, Stop> {
    let channels = registry.send(GetStats).await?.channels;
    let pages = channels.div_ceil(PAGE).max(1);
    let mut closed = 0;
    for page in 0..pages {
        let bound = registry.send(Principals { page, pages }).await?;
        let stale = stale(db, &bound).await.map_err(Stop::Database)?;
        if !stale.is_empty() {
            closed += registry.send(Revoke(stale)).await?;
        }
    }
    Ok(closed)
}

/// The pairs of `bound` whose principal lost access or has another token now.
async fn stale(db: &Pool, bound: &[(Channel, u64)]) -> anyhow::Result<Vec<(Channel, u64)>> {
    if bound.is_empty() {
        return Ok(Vec::new());
    }
    let (mut customers, mut radar_users) = (HashSet::new(), HashSet::new());
    for (channel, _) in bound {
        match *channel {
            Channel::Customer(id) => customers.insert(id.0),
            Channel::Radar(id) => radar_users.insert(id.0),
            Channel::Everyone => false,
        };
    }
    let customers: Vec<i64> = customers.into_iter().collect();
    let radar_users: Vec<i64> = radar_users.into_iter().collect();
    let client = db.get().await?;
    let mut current = HashMap::with_capacity(bound.len());
    for (id, token) in store::token::customer_tokens(&client, &customers).await? {
        current.insert(Channel::Customer(CustomerId(id)), fingerprint(&token));
    }
    for (id, token) in store::token::radar_user_tokens(&client, &radar_users).await? {
        current.insert(Channel::Radar(RadarUserId(id)), fingerprint(&token));
    }
    Ok(stale_pairs(bound, &current))
}

/// The pairs of `bound` whose fingerprint is not the principal's `current` one (none: no access).
fn stale_pairs(bound: &[(Channel, u64)], current: &HashMap<Channel, u64>) -> Vec<(Channel, u64)> {
    bound
        .iter()
        .filter(|(channel, fp)| current.get(channel) != Some(fp))
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_principal_without_a_token_or_with_another_one_is_stale() {
        let current = HashMap::from([
            (Channel::Customer(CustomerId(1)), fingerprint("a")),
            (Channel::Radar(RadarUserId(1)), fingerprint("b")),
        ]);
        let bound = [
            (Channel::Customer(CustomerId(1)), fingerprint("a")), // unchanged
            (Channel::Customer(CustomerId(1)), fingerprint("old")), // an older login's socket
            (Channel::Radar(RadarUserId(1)), fingerprint("b")), // unchanged (same id, other family)
            (Channel::Radar(RadarUserId(2)), fingerprint("c")), // lost access
        ];
        assert_eq!(
            stale_pairs(&bound, &current),
            vec![
                (Channel::Customer(CustomerId(1)), fingerprint("old")),
                (Channel::Radar(RadarUserId(2)), fingerprint("c")),
            ]
        );
    }

    #[test]
    fn fingerprints_tell_tokens_apart() {
        assert_eq!(fingerprint("abc"), fingerprint("abc"));
        assert_ne!(fingerprint("abc"), fingerprint("abd"));
    }
}
