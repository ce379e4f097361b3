//! A short-lived cache of principals' tokens, so a signed request costs no database round trip.
//!
//! Tokens never change once made (spec §2.1), so a cached token is never wrong; what the cache can
//! delay is a deletion or a disabling, which therefore takes effect within `auth.token_cache_secs`
//! on every node. Only hits are cached. The map is bounded: when full it is emptied (cheap, and a
//! busy node refills it in a moment).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::http::auth::Family;

/// Entries kept at most.
const CAPACITY: usize = 100_000;

/// `(family, id) → (token, cached at)`.
pub struct TokenCache {
    ttl: Duration,
    map: Mutex<HashMap<(Family, i64), (String, Instant)>>,
}

impl TokenCache {
    /// A cache keeping tokens for `ttl` (zero disables it).
    pub fn new(ttl: Duration) -> TokenCache {
        TokenCache {
            ttl,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// The cached token of `(family, id)` if fresh.
    pub fn get(&self, family: Family, id: i64) -> Option<String> {
        if self.ttl.is_zero() {
            return None;
        }
        let map = self.map.lock().ok()?;
        map.get(&(family, id))
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(t, _)| t.clone())
    }

    /// Remembers a token read from the database.
    pub fn put(&self, family: Family, id: i64, token: &str) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= CAPACITY {
                map.clear();
            }
            map.insert((family, id), (token.to_owned(), Instant::now()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_kept_for_the_ttl_only() {
        let cache = TokenCache::new(Duration::from_millis(50));
        cache.put(Family::Customer, 1, "t");
        assert_eq!(cache.get(Family::Customer, 1).as_deref(), Some("t"));
        assert_eq!(cache.get(Family::Radar, 1), None, "families are apart");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get(Family::Customer, 1), None);
    }

    #[test]
    fn a_zero_ttl_disables_the_cache() {
        let cache = TokenCache::new(Duration::ZERO);
        cache.put(Family::Admin, 1, "t");
        assert_eq!(cache.get(Family::Admin, 1), None);
    }
}
