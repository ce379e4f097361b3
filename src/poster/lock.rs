//! The per-pair lock: concurrent requests for one pair's files make them once (the others wait,
//! then find them on disk).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock, PoisonError};

use super::Posters;

/// A pair's lock, by data directory (tests run several nodes in one process).
type Key = (PathBuf, i64, i64);
type PairLocks = Mutex<HashMap<Key, std::sync::Arc<tokio::sync::Mutex<()>>>>;

fn pair_locks() -> &'static PairLocks {
    static MAP: OnceLock<PairLocks> = OnceLock::new();
    MAP.get_or_init(Mutex::default)
}

/// Holds a pair's lock; the map entry goes when its last holder or waiter is done, so the map
/// holds only pairs being worked on.
pub(super) struct PairGuard {
    key: Key,
    lock: std::sync::Arc<tokio::sync::Mutex<()>>,
    _held: tokio::sync::OwnedMutexGuard<()>,
}

impl Drop for PairGuard {
    fn drop(&mut self) {
        let mut map = pair_locks().lock().unwrap_or_else(PoisonError::into_inner);
        // Clones are made under the map's lock: the map's and ours are the last two.
        if std::sync::Arc::strong_count(&self.lock) <= 2 {
            map.remove(&self.key);
        }
    }
}

pub(super) async fn lock_pair(posters: &Posters, uid: i64, cid: i64) -> PairGuard {
    let key = (posters.data_dir.clone(), uid, cid);
    let lock = {
        let mut map = pair_locks().lock().unwrap_or_else(PoisonError::into_inner);
        map.entry(key.clone()).or_default().clone()
    };
    let held = lock.clone().lock_owned().await;
    PairGuard {
        key,
        lock,
        _held: held,
    }
}
