//! How late this node's event loops run work that is ready: the node-wide overload signal that
//! chat admission reads beside the writer's own backlog.
//!
//! Each event loop (every HTTP worker, and the main arbiter where the registry and the writers
//! run) carries a probe: a task that sleeps [`TICK`] and notes how much later than asked it woke.
//! A woken task queues behind every task already ready on its loop, so that lateness is how long a
//! socket that became readable now waits for its turn. When the machine's cores are saturated
//! (the node, PostgreSQL and whatever else shares them), sends wait there — in socket buffers
//! and session turns — before the writer ever sees them, which the writer's backlog cannot tell.
//!
//! A loop counts as late only when **every** tick of a window of at least [`WINDOW`] was late (the
//! smallest lateness of the window, as CoDel judges a queue by its minimum sojourn): one long task
//! or one slice lost to another process is a spike, not a standing queue, and refuses nothing.
//! The node's lag is the largest such minimum over its loops; `chat.admission_lag_ms` bounds it.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::telemetry::metrics::names;

/// How often a probe wakes.
pub const TICK: Duration = Duration::from_millis(10);
/// The shortest span a lateness must hold over before it counts.
pub const WINDOW: Duration = Duration::from_millis(100);
/// Probes a node can carry (one per event loop); loops beyond this are not measured.
const MAX_LOOPS: usize = 64;

/// The node's event-loop lag; cheap to read on every send.
pub struct LoopLag {
    /// Each probe's last full window: its smallest lateness, in nanoseconds.
    slots: [AtomicU64; MAX_LOOPS],
    used: AtomicUsize,
    /// Tells gauges apart (several nodes run in one test process).
    id: u64,
    /// Lag past which the node counts as overloaded (zero: never).
    limit: Duration,
}

thread_local! {
    /// The gauges whose probe this thread's loop already carries.
    static PROBED: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

impl LoopLag {
    /// A gauge that counts the node as overloaded past `limit` of lag (zero: never).
    pub fn new(limit: Duration) -> Arc<LoopLag> {
        Arc::new(LoopLag {
            slots: std::array::from_fn(|_| AtomicU64::new(0)),
            used: AtomicUsize::new(0),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            limit,
        })
    }

    /// Starts a probe on the current thread's event loop, once per thread and gauge (the HTTP
    /// server builds its app once per worker, maybe more than once). Must run inside a local
    /// task set (an actix arbiter).
    pub fn probe_this_loop(self: &Arc<LoopLag>) {
        let new = PROBED.with(|p| {
            let mut probed = p.borrow_mut();
            let new = !probed.contains(&self.id);
            if new {
                probed.push(self.id);
            }
            new
        });
        if !new {
            return;
        }
        let slot = self.used.fetch_add(1, Ordering::Relaxed);
        if slot >= MAX_LOOPS {
            return;
        }
        let lag = self.clone();
        actix_web::rt::spawn(async move {
            let _clear = ClearOnDrop(&lag.slots[slot]);
            let mut window = Window::default();
            loop {
                let asked = Instant::now() + TICK;
                tokio::time::sleep_until(asked.into()).await;
                let woke = Instant::now();
                if let Some(late) = window.sample(woke, woke.saturating_duration_since(asked)) {
                    lag.slots[slot].store(nanos(late), Ordering::Relaxed);
                    metrics::gauge!(names::EVENT_LOOP_LAG).set(lag.current().as_secs_f64());
                }
            }
        });
    }

    /// The node's lag now: the largest of its loops' last windows.
    pub fn current(&self) -> Duration {
        let used = self.used.load(Ordering::Relaxed).min(MAX_LOOPS);
        let worst = self.slots[..used]
            .iter()
            .map(|s| s.load(Ordering::Relaxed))
            .max()
            .unwrap_or(0);
        Duration::from_nanos(worst)
    }

    /// Whether new work should be refused: the lag is past the limit.
    pub fn overloaded(&self) -> bool {
        !self.limit.is_zero() && self.current() > self.limit
    }
}

/// A probe that stops (its loop ended) stops counting.
struct ClearOnDrop<'a>(&'a AtomicU64);

impl Drop for ClearOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(0, Ordering::Relaxed);
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// The smallest lateness over a window of at least [`WINDOW`] and two ticks.
#[derive(Default)]
struct Window {
    started: Option<Instant>,
    ticks: u32,
    least: Duration,
}

impl Window {
    /// Folds in a tick that woke at `at`, `late` after it was due; at a window's end, answers the
    /// window's smallest lateness and starts the next window.
    fn sample(&mut self, at: Instant, late: Duration) -> Option<Duration> {
        let started = *self.started.get_or_insert(at);
        self.least = if self.ticks == 0 {
            late
        } else {
            self.least.min(late)
        };
        self.ticks += 1;
        if self.ticks < 2 || at.saturating_duration_since(started) < WINDOW {
            return None;
        }
        let least = self.least;
        *self = Window::default();
        Some(least)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(window: &mut Window, start: Instant, lates_ms: &[u64]) -> Vec<Duration> {
        let mut at = start;
        lates_ms
            .iter()
            .filter_map(|&late| {
                at += TICK + Duration::from_millis(late);
                window.sample(at, Duration::from_millis(late))
            })
            .collect()
    }

    #[test]
    fn a_window_answers_its_smallest_lateness_once_it_spans_the_window() {
        let mut window = Window::default();
        let start = Instant::now();
        // Ten on-time ticks span 100 ms (the first starts the window): one window, lag zero.
        let answers = feed(&mut window, start, &[0; 11]);
        assert_eq!(answers, vec![Duration::ZERO]);
    }

    #[test]
    fn one_late_tick_is_a_spike_and_every_late_tick_is_a_queue() {
        let mut spike = Window::default();
        let answers = feed(
            &mut spike,
            Instant::now(),
            &[0, 0, 300, 0, 0, 0, 0, 0, 0, 0],
        );
        assert_eq!(answers, vec![Duration::ZERO]);

        let mut queue = Window::default();
        let answers = feed(&mut queue, Instant::now(), &[60, 80, 70]);
        assert_eq!(answers, vec![Duration::from_millis(60)]);
    }

    #[test]
    fn a_single_very_late_tick_does_not_close_a_window_alone() {
        let mut window = Window::default();
        // 500 ms late: the window spans it, but one tick is not a standing queue.
        assert!(feed(&mut window, Instant::now(), &[500]).is_empty());
        assert_eq!(
            feed(&mut window, Instant::now() + Duration::from_secs(1), &[0]),
            vec![Duration::ZERO]
        );
    }

    #[test]
    fn the_node_is_overloaded_only_past_its_limit_and_never_with_a_zero_limit() {
        let lag = LoopLag::new(Duration::from_millis(50));
        lag.used.store(2, Ordering::Relaxed);
        lag.slots[0].store(nanos(Duration::from_millis(10)), Ordering::Relaxed);
        assert!(!lag.overloaded());
        lag.slots[1].store(nanos(Duration::from_millis(51)), Ordering::Relaxed);
        assert_eq!(lag.current(), Duration::from_millis(51));
        assert!(lag.overloaded());

        let off = LoopLag::new(Duration::ZERO);
        off.used.store(1, Ordering::Relaxed);
        off.slots[0].store(u64::MAX, Ordering::Relaxed);
        assert!(!off.overloaded());
    }
}
