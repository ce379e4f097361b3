//! `TtlCache`: a short-lived per-node map, so hot reads cost no database round trip. Its users:
//! principals' tokens (`auth::Tokens`) and customers' companies (facts that never change once set:
//! what the cache can delay is a deletion or a disabling, which therefore takes effect within the
//! TTL on every node), and whole answers of read-only list pages (`http::case`; a change shows
//! within the TTL). Callers put only values they found. Each map is bounded: when full it is
//! emptied (cheap, and a busy node refills it in a moment). The node's caches are `purged`:
//! expired entries are dropped every TTL, so memory follows the principals still calling, not
//! every one seen since the start (e.g. each idle websocket's token).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
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

    /// A shared cache like `new` whose expired entries are dropped every `ttl` (at most ten times
    /// a second) by a task of the current runtime; the task ends with the cache.
    pub fn purged(ttl: Duration) -> Arc<TtlCache<K, V>>
    where
        K: Send + 'static,
        V: Send + 'static,
    {
        let cache = Arc::new(TtlCache::new(ttl));
        if !ttl.is_zero() {
            let weak = Arc::downgrade(&cache);
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(ttl.max(Duration::from_millis(100)));
                tick.tick().await; // immediate: nothing is cached yet
                loop {
                    tick.tick().await;
                    let Some(cache) = weak.upgrade() else {
                        return;
                    };
                    cache.purge();
                }
            });
        }
        cache
    }

    /// Drops the expired entries, and the map's room once it is mostly empty (a map keeps its
    /// largest size otherwise).
    pub fn purge(&self) {
        let Ok(mut map) = self.map.lock() else {
            return;
        };
        map.retain(|_, (_, at)| at.elapsed() < self.ttl);
        let len = map.len();
        if map.capacity() > 4 * len.max(16) {
            map.shrink_to(2 * len);
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
    use crate::auth::Family;

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
    fn a_purge_drops_expired_entries_and_gives_back_their_room() {
        let cache = TtlCache::new(Duration::from_millis(30));
        for i in 0..1000 {
            cache.put(i, i);
        }
        std::thread::sleep(Duration::from_millis(40));
        cache.put(1000, 1000);
        cache.purge();
        assert_eq!(cache.get(&1000), Some(1000));
        let map = cache.map.lock().unwrap();
        assert_eq!(map.len(), 1, "only the fresh entry stays");
        assert!(map.capacity() < 100, "room kept: {}", map.capacity());
    }

    #[actix_web::test]
    async fn a_purged_cache_drops_expired_entries_by_itself() {
        let cache = TtlCache::purged(Duration::from_millis(50));
        cache.put(1, 1);
        tokio::time::sleep(Duration::from_millis(350)).await;
        assert_eq!(cache.map.lock().unwrap().len(), 0);
    }

    #[test]
    fn a_zero_ttl_disables_the_cache() {
        let cache = TtlCache::new(Duration::ZERO);
        cache.put((Family::Admin, 1), "t".to_owned());
        assert_eq!(cache.get(&(Family::Admin, 1)), None);
    }
}
