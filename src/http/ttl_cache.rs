//! Short-lived per-node caches, so hot reads cost no database round trip: principals' tokens and
//! customers' companies (facts that never change once set; what the cache can delay is a deletion
//! or a disabling, which therefore takes effect within the TTL on every node), and whole answers of
//! read-only list pages (a change shows within the TTL). Only found values are cached. Each map is
//! bounded: when full it is emptied (cheap, and a busy node refills it in a moment).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Entries kept at most.
const CAPACITY: usize = 100_000;

/// `key → (value, cached at)`, each value kept for `ttl`.
pub struct TtlCache<K, V> {
    ttl: Duration,
    map: Mutex<HashMap<K, (V, Instant)>>,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    /// A cache keeping values for `ttl` (zero disables it).
    pub fn new(ttl: Duration) -> TtlCache<K, V> {
        TtlCache {
            ttl,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// The cached value of `key` if fresh.
    pub fn get(&self, key: &K) -> Option<V> {
        if self.ttl.is_zero() {
            return None;
        }
        let map = self.map.lock().ok()?;
        map.get(key)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(v, _)| v.clone())
    }

    /// Remembers a value read from the database.
    pub fn put(&self, key: K, value: V) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= CAPACITY {
                map.clear();
            }
            map.insert(key, (value, Instant::now()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::auth::Family;

    #[test]
    fn values_are_kept_for_the_ttl_only() {
        let cache = TtlCache::new(Duration::from_millis(50));
        cache.put((Family::Customer, 1), "t".to_owned());
        assert_eq!(cache.get(&(Family::Customer, 1)).as_deref(), Some("t"));
        assert_eq!(cache.get(&(Family::Radar, 1)), None, "keys are apart");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get(&(Family::Customer, 1)), None);
    }

    #[test]
    fn a_zero_ttl_disables_the_cache() {
        let cache = TtlCache::new(Duration::ZERO);
        cache.put((Family::Admin, 1), "t".to_owned());
        assert_eq!(cache.get(&(Family::Admin, 1)), None);
    }
}
