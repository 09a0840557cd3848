//! What the workers measured: latencies, bytes, errors and losses,
//! merged across workers into one `key=value` result line.

use crate::Opts;
use std::time::Duration;

/// What the workers measured.
#[derive(Debug, Default)]
pub struct Stats {
    /// Latency of each completed request, in microseconds.
    pub lat_us: Vec<u32>,
    pub bytes: u64,
    pub errors: usize,
    pub lost: u64,
    pub first_error: Option<String>,
    pub elapsed: Duration,
}

impl Stats {
    pub fn record(&mut self, took: Duration, bytes: usize) {
        self.lat_us
            .push(u32::try_from(took.as_micros()).unwrap_or(u32::MAX));
        self.bytes += bytes as u64;
    }

    pub fn note_error(&mut self, e: String) {
        self.errors += 1;
        self.first_error.get_or_insert(e);
    }

    pub fn merge(&mut self, other: Stats) {
        self.lat_us.extend(other.lat_us);
        self.bytes += other.bytes;
        self.errors += other.errors;
        self.lost += other.lost;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    /// The `key=value` result line.
    pub fn report(mut self, o: &Opts) -> String {
        self.lat_us.sort_unstable();
        let n = self.lat_us.len();
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        let mut s = format!(
            "mode={} addr={} conns={} size={} secs={secs:.2} requests={n} \
             rate={:.0} \
             mb_s={:.1} p50_us={} p99_us={} lost={} errors={}",
            o.mode,
            o.addr,
            o.conns,
            o.size,
            n as f64 / secs,
            self.bytes as f64 / secs / 1e6,
            percentile(&self.lat_us, 50.0),
            percentile(&self.lat_us, 99.0),
            self.lost,
            self.errors,
        );
        if let Some(e) = self.first_error {
            s.push_str(&format!(" first_error={e:?}"));
        }
        s
    }
}

/// The p-th percentile of sorted values (nearest rank); 0 when empty.
///
/// Examples: the unit test `percentile_examples` below.
pub fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[test]
fn percentile_examples() {
    let v: Vec<u32> = (1..=100).collect();
    assert_eq!(percentile(&v, 50.0), 50);
    assert_eq!(percentile(&v, 99.0), 99);
    assert_eq!(percentile(&[], 50.0), 0);
}
