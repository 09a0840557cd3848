//! Round-trip statistics, and the two summary lines ping(8) prints
//! when it is done.

/// Round-trip statistics for the summary line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// Requests sent.
    pub transmitted: u32,
    /// Matching replies received.
    pub received: u32,
    /// Round-trip times of the replies, in milliseconds.
    pub rtts_ms: Vec<f64>,
}

impl Stats {
    /// Record one matching reply.
    pub fn reply(&mut self, rtt_ms: f64) {
        self.received += 1;
        self.rtts_ms.push(rtt_ms);
    }

    /// Packet loss in percent (0 when nothing was sent).
    ///
    /// Examples: the unit test `loss_percent_examples` below.
    pub fn loss_percent(&self) -> f64 {
        if self.transmitted == 0 {
            return 0.0;
        }
        let lost = self.transmitted.saturating_sub(self.received);
        f64::from(lost) * 100.0 / f64::from(self.transmitted)
    }

    /// (min, avg, max) round-trip time in ms, None without replies.
    ///
    /// Examples: the unit test `min_avg_max_examples` below.
    pub fn min_avg_max(&self) -> Option<(f64, f64, f64)> {
        let first = *self.rtts_ms.first()?;
        let (mut min, mut max, mut total) = (first, first, 0.0);
        for &t in &self.rtts_ms {
            min = min.min(t);
            max = max.max(t);
            total += t;
        }
        Some((min, total / self.rtts_ms.len() as f64, max))
    }

    /// The two summary lines, as ping(8) prints them.
    ///
    /// Examples: the unit test `summary_examples` below.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} packets transmitted, {} received, {}% packet loss",
            self.transmitted,
            self.received,
            format_percent(self.loss_percent())
        );
        if let Some((min, avg, max)) = self.min_avg_max() {
            s.push_str(&format!(
                "\nrtt min/avg/max = {min:.3}/{avg:.3}/{max:.3} ms"
            ));
        }
        s
    }
}

#[test]
fn loss_percent_examples() {
    let s = Stats {
        transmitted: 4,
        received: 3,
        rtts_ms: vec![],
    };
    assert_eq!(s.loss_percent(), 25.0);
}

#[test]
fn min_avg_max_examples() {
    let s = Stats {
        transmitted: 2,
        received: 2,
        rtts_ms: vec![1.0, 3.0],
    };
    assert_eq!(s.min_avg_max(), Some((1.0, 2.0, 3.0)));
}

#[test]
fn summary_examples() {
    let s = Stats {
        transmitted: 2,
        received: 1,
        rtts_ms: vec![0.5],
    };
    assert_eq!(
        s.summary(),
        "2 packets transmitted, 1 received, 50% packet loss\n\
         rtt min/avg/max = 0.500/0.500/0.500 ms"
    );
}

/// 50 -> "50", 33.33.. -> "33.3": whole numbers without decimals.
fn format_percent(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        format!("{p:.1}")
    }
}
