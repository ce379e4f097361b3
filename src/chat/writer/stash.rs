//! The writer's id stash: the ids one batch's statement reserves for the batches after it, so a
//! batch under load needs one round trip instead of two (the ids are a batch's idempotency key,
//! see `statement`).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Ids reserved by the previous batch's statement for the next ones, so a batch under load needs
/// one round trip, not two. Used only while fresh: ids are meant to follow commit order across
/// nodes closely (legacy `since_id` readers page by id), so a stash left over from a quiet spell
/// is dropped and the batch reserves its own.
#[derive(Default)]
pub(super) struct IdStash {
    ids: VecDeque<i64>,
    at: Option<Instant>,
}

/// How long reserved ids stay usable.
const STASH_FRESH: Duration = Duration::from_millis(20);

impl IdStash {
    /// `n` ids in order, if the stash holds that many fresh ones.
    pub(super) fn take(&mut self, n: usize) -> Option<Vec<i64>> {
        let fresh = self.at.is_some_and(|at| at.elapsed() <= STASH_FRESH);
        if !fresh || self.ids.len() < n {
            self.ids.clear();
            return None;
        }
        Some(self.ids.drain(..n).collect())
    }

    pub(super) fn refill(&mut self, ids: Vec<i64>) {
        self.ids.clear();
        self.ids.extend(ids);
        self.at = Some(Instant::now());
    }

    /// How many ids to reserve for the batches after one of `n` rows.
    pub(super) fn want(n: usize, max_rows: usize) -> i32 {
        (n * 2).clamp(16, max_rows.max(16)) as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_stash_gives_fresh_ids_in_order_and_drops_stale_or_short_ones() {
        let mut stash = IdStash::default();
        assert_eq!(stash.take(1), None, "empty");
        stash.refill(vec![10, 11, 12]);
        assert_eq!(stash.take(2), Some(vec![10, 11]));
        assert_eq!(stash.take(2), None, "one left is too few");
        assert_eq!(stash.take(1), None, "a short stash is dropped, not kept");
        stash.refill(vec![20, 21]);
        stash.at = Some(Instant::now() - STASH_FRESH * 2);
        assert_eq!(stash.take(1), None, "stale");
        assert_eq!(IdStash::want(3, 64), 16);
        assert_eq!(IdStash::want(50, 64), 64);
    }
}
