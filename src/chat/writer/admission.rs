//! Admission: whether a writer shard is too far behind to take another send. `Backlog` estimates
//! how long the shard's queue would take to commit from what its recent batches cost per row, so
//! a send that would wait longer than `chat.admission_delay_ms` is refused at once
//! (`WriteError::Busy`, never stored) instead of piling up. The shard records every batch here and
//! asks before queuing; nothing here waits or does I/O.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How long the queue would take to commit, from what recent batches cost per row.
///
/// A batch's time is a fixed part (round trip, commit, WAL flush) plus a part per row; batches
/// grow with the queue, so while the writer keeps up the fixed part dominates and the queue stays
/// below a batch. A queue longer than one full batch means the writer is behind: the rows ahead of
/// a new send then go out in full batches, whose cost per row the recent batches tell. Refusing
/// only past one full batch keeps a burst from idle (small batches, high cost per row) from
/// being refused by an estimate made for small batches.
pub(super) struct Backlog {
    /// Moving average of a batch's time per row, in nanoseconds.
    row_ns: AtomicU64,
}

/// What a row is assumed to cost before the first batch is measured: a flood right after start
/// is judged too (about what a row of a full batch costs on a small machine).
const FIRST_ROW_COST: Duration = Duration::from_micros(100);

impl Default for Backlog {
    fn default() -> Backlog {
        Backlog {
            row_ns: AtomicU64::new(FIRST_ROW_COST.as_nanos() as u64),
        }
    }
}

impl Backlog {
    /// Folds in a batch of `rows` that took `took`.
    pub(super) fn record(&self, rows: usize, took: Duration) {
        let per_row = took.as_nanos() / rows.max(1) as u128;
        let avg = u128::from(self.row_ns.load(Ordering::Relaxed));
        let next = (avg * 7 + per_row) / 8;
        let next = u64::try_from(next).unwrap_or(u64::MAX).max(1);
        self.row_ns.store(next, Ordering::Relaxed);
    }

    /// Whether a send behind `queued` others waits longer than `delay`, batches being `max_rows`
    /// long.
    pub(super) fn over(&self, queued: usize, max_rows: usize, delay: Duration) -> bool {
        if queued < max_rows {
            return false;
        }
        let row_ns = u128::from(self.row_ns.load(Ordering::Relaxed));
        queued as u128 * row_ns > delay.as_nanos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backlog_refuses_only_past_a_full_batch_and_by_the_measured_cost_per_row() {
        let backlog = Backlog::default();
        let delay = Duration::from_millis(100);
        assert!(
            !backlog.over(255, 256, delay),
            "a send that fits in the next batch"
        );
        assert!(
            backlog.over(1_001, 256, delay),
            "before any batch: 100 µs a row"
        );
        assert!(!backlog.over(999, 256, delay));
        // Small batches from idle: 1 row in 1 ms.
        for _ in 0..64 {
            backlog.record(1, Duration::from_millis(1));
        }
        assert!(!backlog.over(255, 256, delay), "never within one batch");
        assert!(
            backlog.over(256, 256, delay),
            "256 rows at ~1 ms each: ~256 ms"
        );
        // Full batches at 40 µs a row (10 ms per 256 rows): 100 ms is 2,500 rows.
        for _ in 0..64 {
            backlog.record(256, Duration::from_micros(10_240));
        }
        assert!(!backlog.over(2_400, 256, delay));
        assert!(backlog.over(2_600, 256, delay));
        assert!(!backlog.over(usize::MAX, 256, Duration::MAX), "no overflow");
        backlog.record(0, Duration::MAX);
        assert!(backlog.over(usize::MAX, 256, delay));
    }
}
