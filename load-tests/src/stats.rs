//! Clock, latency histograms and bit sets.

use std::sync::Mutex;

use hdrhistogram::Histogram;
use tokio::time::Instant;

/// Microseconds since the generator's start, one monotonic clock for every task.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start: Instant,
}

impl Clock {
    pub fn new() -> Clock {
        Clock {
            start: Instant::now(),
        }
    }

    pub fn now_us(&self) -> u64 {
        self.us(Instant::now())
    }

    pub fn us(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.start).as_micros() as u64
    }
}

/// A latency histogram in µs (1 µs .. 10 min, 3 significant digits) behind a lock.
pub struct Latency(Mutex<Histogram<u64>>);

impl Latency {
    pub fn new() -> Latency {
        // unwrap: constant, valid bounds
        #[allow(clippy::unwrap_used)]
        let h = Histogram::new_with_bounds(1, 600_000_000, 3).unwrap();
        Latency(Mutex::new(h))
    }

    pub fn record(&self, us: u64) {
        let mut h = self.0.lock().unwrap_or_else(|e| e.into_inner());
        h.saturating_record(us.max(1));
    }

    /// `count p50 p95 p99 max` in ms.
    pub fn summary(&self) -> Summary {
        let h = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let ms = |v: u64| v as f64 / 1000.0;
        Summary {
            count: h.len(),
            p50: ms(h.value_at_quantile(0.50)),
            p95: ms(h.value_at_quantile(0.95)),
            p99: ms(h.value_at_quantile(0.99)),
            p999: ms(h.value_at_quantile(0.999)),
            max: ms(h.max()),
            mean: h.mean() / 1000.0,
        }
    }
}

/// Percentiles of one histogram, in ms.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub count: u64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
    pub mean: f64,
}

impl Summary {
    /// `name_p50=… name_p95=…` for the RESULT line.
    pub fn kv(&self, name: &str) -> String {
        format!(
            "{name}_n={} {name}_p50={:.2} {name}_p95={:.2} {name}_p99={:.2} {name}_p999={:.2} {name}_max={:.2} {name}_mean={:.2}",
            self.count, self.p50, self.p95, self.p99, self.p999, self.max, self.mean
        )
    }

    pub fn human(&self) -> String {
        format!(
            "n={} p50 {:.2} / p95 {:.2} / p99 {:.2} / p99.9 {:.2} / max {:.2} ms (mean {:.2})",
            self.count, self.p50, self.p95, self.p99, self.p999, self.max, self.mean
        )
    }
}

/// A growable set of small integers (message sequence numbers).
#[derive(Debug, Default, Clone)]
pub struct BitSet(Vec<u64>);

impl BitSet {
    /// Inserts `i`; false if it was already there.
    pub fn insert(&mut self, i: u32) -> bool {
        let (w, b) = ((i / 64) as usize, i % 64);
        if self.0.len() <= w {
            self.0.resize(w + 1, 0);
        }
        let was = self.0[w] & (1 << b) != 0;
        self.0[w] |= 1 << b;
        !was
    }

    pub fn contains(&self, i: u32) -> bool {
        let (w, b) = ((i / 64) as usize, i % 64);
        self.0.get(w).is_some_and(|x| x & (1 << b) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bit_set_reports_repeats() {
        let mut s = BitSet::default();
        assert!(s.insert(3) && s.insert(700));
        assert!(!s.insert(3));
        assert!(s.contains(700) && !s.contains(4));
    }
}
